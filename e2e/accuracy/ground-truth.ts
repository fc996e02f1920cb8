import http from 'node:http';
import net from 'node:net';
import type Docker from 'dockerode';
import { hostTidsOf } from './host-tids.js';
import type { GtHandler } from './truth-tree.js';

// Reads the ground-truth records the demo services kept in memory (services/ground-truth.mjs),
// after a capture: GET /__gt from the HTTP services, the kvstore's __GT command, the catalog CGI's
// /gt.log. Tids become host tids, times become ns relative to a bundle's time base.

interface RawRecord {
  svc: string;
  rid: string;
  tid?: number;
  start?: string;
  end?: string;
  calls?: { to: string; start: string; end: string }[];
}

export interface GtSource {
  role: string;
  ip: string;
  port: number;
  /** How the records are read: HTTP path, or the kvstore's line command. */
  via: { http: string } | { line: string };
  containerId: string;
}

function httpText(ip: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path, agent: false, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts).toString('utf8')) : reject(new Error(`GET ${ip}:${port}${path}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${ip}:${port}${path}: no answer`)));
    req.on('error', reject);
  });
}

function lineCommand(ip: string, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: ip, port }, () => s.write(`${line}\n`));
    let buf = '';
    s.setTimeout(10_000, () => s.destroy(new Error(`${ip}:${port} ${line}: no answer`)));
    s.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.end();
        resolve(buf.slice(0, nl));
      }
    });
    s.on('error', reject);
  });
}

async function readRecords(src: GtSource): Promise<RawRecord[]> {
  const text = 'http' in src.via ? await httpText(src.ip, src.port, src.via.http) : (JSON.parse(await lineCommand(src.ip, src.port, src.via.line)) as string[]).join('\n');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RawRecord);
}

export interface GroundTruth {
  /** Handlers with host tids and bundle-relative times, by request id. */
  byRid: Map<string, GtHandler[]>;
  /** Records of services that log no thread or time (the catalog CGI), counted by request id. */
  untimed: Map<string, number>;
  /** Records whose thread could not be mapped to a host tid. */
  unmapped: number;
}

/** Reads every source; keeps the request ids that start with `ridPrefix`; times relative to `baseNs`. */
export async function collectGroundTruth(docker: Docker, sources: readonly GtSource[], ridPrefix: string, baseNs: bigint): Promise<GroundTruth> {
  const gt: GroundTruth = { byRid: new Map(), untimed: new Map(), unmapped: 0 };
  const rel = (ns: string) => Number(BigInt(ns) - baseNs);
  for (const src of sources) {
    const records = (await readRecords(src)).filter((r) => r.rid?.startsWith(`${ridPrefix}-`));
    const info = await docker.getContainer(src.containerId).inspect();
    const tids = hostTidsOf(info.State.Pid);
    for (const r of records) {
      if (r.tid === undefined || r.start === undefined || r.end === undefined) {
        gt.untimed.set(r.rid, (gt.untimed.get(r.rid) ?? 0) + 1);
        continue;
      }
      const tid = tids.get(r.tid);
      if (tid === undefined) {
        gt.unmapped++;
        continue;
      }
      const h: GtHandler = { svc: src.role, rid: r.rid, tid, start: rel(r.start), end: rel(r.end), calls: (r.calls ?? []).map((c) => ({ to: c.to, start: rel(c.start), end: rel(c.end) })) };
      const list = gt.byRid.get(r.rid) ?? [];
      list.push(h);
      gt.byRid.set(r.rid, list);
    }
  }
  return gt;
}
