import { readFileSync, readlinkSync } from 'node:fs';

// The TCP connections the traced threads' network namespaces hold when a capture attaches
// (docs/adr/0106): their 4-tuples, from /proc/<tid>/net/tcp and tcp6 (readable without
// privileges). tcp_rcv_space_adjust stays on until each has been learned or closed, so a
// connection that idles in a pool through the first seconds is not used first while learning
// is off. Keys are `tupleKey` of the local and the remote end, addresses as the kernel's
// __be32 read little-endian (what /proc prints in hex, and what the tracepoints' byte arrays
// read as u32 LE); IPv6 connections other than IPv4-mapped ones are left out (the socket join
// keys IPv4 only).

/** States in which a socket can still carry data: established, closing with data in flight. */
const LIVE = new Set(['01', '04', '05', '08', '09', '0B']);

export function tupleKey(saddr: number, sport: number, daddr: number, dport: number): string {
  return `${saddr}:${sport}>${daddr}:${dport}`;
}

function ipv4Of(hex: string): number | null {
  if (hex.length === 8) return Number.parseInt(hex, 16);
  // ::ffff:a.b.c.d as /proc prints it: four host-order words, the mapped address in the last.
  if (hex.length === 32 && /^0{16}FFFF0000/i.test(hex)) return Number.parseInt(hex.slice(24), 16);
  return null;
}

/** The live connections of one /proc/net/tcp{,6} text, as tuple keys. */
export function parseProcTcp(text: string, into: Set<string> = new Set()): Set<string> {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !LIVE.has(f[3]!)) continue;
    const [la, lp] = f[1]!.split(':');
    const [ra, rp] = f[2]!.split(':');
    const s = ipv4Of(la ?? '');
    const d = ipv4Of(ra ?? '');
    if (s === null || d === null) continue;
    into.add(tupleKey(s, Number.parseInt(lp ?? '0', 16), d, Number.parseInt(rp ?? '0', 16)));
  }
  return into;
}

/** The connections of the network namespaces of `tids`; null when none of their tables could be read. */
export function readOldConnections(tids: readonly number[]): Set<string> | null {
  const out = new Set<string>();
  let read = false;
  // The tables are per network namespace: once per namespace, not per thread (51 threads of
  // 4 containers were 102 reads).
  const namespaces = new Set<string>();
  for (const tid of tids) {
    let ns: string | null = null;
    try {
      ns = readlinkSync(`/proc/${tid}/ns/net`);
    } catch {
      // Not readable (another user's thread): read its tables, as before.
    }
    if (ns !== null && namespaces.has(ns)) continue;
    if (ns !== null) namespaces.add(ns);
    for (const file of ['tcp', 'tcp6']) {
      try {
        parseProcTcp(readFileSync(`/proc/${tid}/net/${file}`, 'latin1'), out);
        read = true;
      } catch {
        // A thread that ended, or a table this kernel lacks (no IPv6).
      }
    }
  }
  return read ? out : null;
}
