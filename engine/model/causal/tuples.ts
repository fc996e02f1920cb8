import { detailValue } from '../record.js';

// The 4-tuple of a TCP record, read once per distinct details text: a capture's I/O records name
// a few hundred connections over and over (45k I/O records, 190 texts at 1M records). Each tuple
// carries the strings the model derives from it (its ends, the connection key), made once: a key
// built per event was a fresh string, hashed again at each lookup of its connection.

export interface Tuple {
  /** Local side (the thread's own socket): saddr:sport in every record of both sets. */
  readonly localIp: string;
  readonly localPort: string;
  readonly remoteIp: string;
  readonly remotePort: string;
  /** `localIp:localPort` and `remoteIp:remotePort`: the ends as connections name them. */
  readonly local: string;
  readonly remote: string;
  /** The unordered pair of ends: the connection's key outside loopback (connection.ts connectionKey). */
  readonly pair: string;
  /** The local end on 127.x: a container's own `lo`. */
  readonly loopback: boolean;
  /** On loopback the key is per container: the last container asked for and its key. */
  keyContainer: string | null;
  containerKey: string;
}

export function parseTuple(details: string): Tuple | null {
  const localIp = detailValue(details, 'saddr');
  const localPort = detailValue(details, 'sport');
  const remoteIp = detailValue(details, 'daddr');
  const remotePort = detailValue(details, 'dport');
  if (localIp === undefined || localPort === undefined || remoteIp === undefined || remotePort === undefined) return null;
  const local = `${localIp}:${localPort}`;
  const remote = `${remoteIp}:${remotePort}`;
  const pair = local < remote ? `${local}|${remote}` : `${remote}|${local}`;
  return { localIp, localPort, remoteIp, remotePort, local, remote, pair, loopback: localIp.startsWith('127.'), keyContainer: null, containerKey: '' };
}

/** Texts remembered at most; then the cache starts again (a capture with changing details fields). */
const MAX_TEXTS = 4096;

/** parseTuple() once per details text. Tuples are shared: only connectionKey() writes, to its memo. */
export class TupleCache {
  private readonly byText = new Map<string, Tuple | null>();

  get(details: string): Tuple | null {
    let t = this.byText.get(details);
    if (t === undefined) {
      if (this.byText.size >= MAX_TEXTS) this.byText.clear();
      t = parseTuple(details);
      this.byText.set(details, t);
    }
    return t;
  }
}
