// The meta file: one line per thread alive at capture start, `tid|container name|container IP|container id`.

export interface MetaEntry {
  tid: number;
  container: string;
  ip: string;
  containerId: string;
}

export class InputError extends Error {
  /** A user's mistake in input: shown without a stack trace, with what to do. */
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** An input with no trace records at all (empty, or only other lines). */
export class NoRecordsError extends InputError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    // Named, so that it is still told apart after crossing to another thread (engine-client.ts).
    this.name = 'NoRecordsError';
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function parseGateway(text: string): string {
  const ip = text.trim();
  if (!isIPv4(ip)) {
    throw new InputError(
      `gateway "${ip.slice(0, 60)}" is not an IPv4 address`,
      'pass the Docker network gateway, e.g. -g 172.18.0.1 (docker network inspect NETWORK shows it)',
    );
  }
  return ip;
}

export function parseMeta(text: string, source = 'meta file'): MetaEntry[] {
  const out: MetaEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const f = raw.split('|');
    if (f.length !== 4) {
      throw new InputError(
        `${source} line ${i + 1} has ${f.length} columns, expected 4 (tid|container|ip|container id): "${raw.slice(0, 80)}"`,
        'generate the meta file with `misertrace discover -n NETWORK -m meta.psv -o probes.bt`',
      );
    }
    const [tidS, container, ip, containerId] = f.map((x) => x.trim()) as [string, string, string, string];
    if (!/^\d{1,10}$/.test(tidS)) {
      throw new InputError(`${source} line ${i + 1}: tid "${tidS.slice(0, 40)}" is not a number`);
    }
    if (!isIPv4(ip)) {
      throw new InputError(`${source} line ${i + 1}: "${ip.slice(0, 40)}" is not an IPv4 address`);
    }
    out.push({ tid: Number(tidS), container, ip, containerId });
  }
  if (out.length === 0) {
    throw new InputError(`${source} lists no threads`, 'discover the network while its containers are running');
  }
  return out;
}

export function formatMeta(entries: readonly MetaEntry[]): string {
  return entries.map((e) => `${e.tid}|${e.container}|${e.ip}|${e.containerId}\n`).join('');
}
