import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { MetaEntry } from '../engine/model/meta.js';

// A synthetic capture of the shape that broke the original model: `wrk -c8` against /stock of the
// demo app, keep-alive everywhere. A Node-like frontend (one event-loop thread) reads requests
// from 8 gateway connections and calls a Node-like inventory over a pool of 8 keep-alive
// connections; the inventory asks a single-threaded key-value store over one persistent
// connection. Up to 8 requests are in flight, their steps interleaved round robin on the loop
// threads, with epoll waits between slices; records of the syscall set, sorted by time.

const GATEWAY = '10.9.0.1';
const FRONT: MetaEntry = { tid: 100, container: 'ka-frontend', ip: '10.9.0.2', containerId: 'f'.repeat(64) };
const INV: MetaEntry = { tid: 200, container: 'ka-inventory', ip: '10.9.0.3', containerId: 'a'.repeat(64) };
const KV: MetaEntry = { tid: 300, container: 'ka-kvstore', ip: '10.9.0.4', containerId: 'b'.repeat(64) };

/**
 * `pipelined`: the inventory sends its store calls without waiting for the replies before (as
 * the demo app's inventory does under load: one connection, requests in flight together).
 */
export async function writeKeepAliveCapture(dir: string, targetRecords: number, inFlight = 8, pipelined = false): Promise<{ sortedPath: string; meta: MetaEntry[]; gateway: string; records: number; requests: number }> {
  const sortedPath = join(dir, `keepalive-${targetRecords}${pipelined ? '-pipelined' : ''}.sorted.psv`);
  const out = createWriteStream(sortedPath);
  let ts = 7_000_000_000_000;
  let records = 0;
  const lines: string[] = [];
  const rec = (m: MetaEntry, probe: string, details = '') => {
    ts += 900 + (records % 5) * 41;
    records++;
    lines.push(`${m.container}|${m.tid}|${ts}|${records & 1}|${probe}${details === '' ? '' : `|${details}`}`);
  };
  const tcp = (lip: string, lport: number, rip: string, rport: number) => `sport=${lport} dport=${rport} saddr=${lip} daddr=${rip}`;
  const io = (m: MetaEntry, dir: 'send' | 'recv', details: string) => {
    const sc = dir === 'send' ? 'write' : 'read';
    rec(m, `MT:tracepoint:syscalls:sys_enter_${sc}`);
    rec(m, dir === 'send' ? 'MT:tcp_send' : 'MT:tracepoint:tcp:tcp_rcv_space_adjust', details);
    rec(m, `MT:tracepoint:syscalls:sys_exit_${sc}`, 'ret=100');
  };
  const wake = (m: MetaEntry) => rec(m, 'MT:tracepoint:syscalls:sys_exit_epoll_wait');
  const sleep = (m: MetaEntry) => rec(m, 'MT:tracepoint:syscalls:sys_enter_epoll_wait');
  const fault = (m: MetaEntry) => rec(m, 'tracepoint:exceptions:page_fault_user');
  const kvPort = 45000;
  // One request's steps; each step is one event-loop slice (or the store's work).
  const steps = (c: number): (() => void)[] => {
    const g = 40000 + c;
    const p = 42000 + c;
    const storeCall = () => {
      wake(INV);
      io(INV, 'recv', tcp(INV.ip, 8080, FRONT.ip, p));
      fault(INV);
      io(INV, 'send', tcp(INV.ip, kvPort, KV.ip, 6379));
      sleep(INV);
    };
    const storeWork = () => {
      io(KV, 'recv', tcp(KV.ip, 6379, INV.ip, kvPort));
      fault(KV);
      io(KV, 'send', tcp(KV.ip, 6379, INV.ip, kvPort));
    };
    const storeReply = () => {
      wake(INV);
      io(INV, 'recv', tcp(INV.ip, kvPort, KV.ip, 6379));
      io(INV, 'send', tcp(INV.ip, 8080, FRONT.ip, p));
      sleep(INV);
    };
    return [
      () => {
        wake(FRONT);
        io(FRONT, 'recv', tcp(FRONT.ip, 80, GATEWAY, g));
        fault(FRONT);
        fault(FRONT);
        io(FRONT, 'send', tcp(FRONT.ip, p, INV.ip, 8080));
        sleep(FRONT);
      },
      ...(pipelined ? [storeCall, storeWork, storeReply] : [() => (storeCall(), storeWork(), storeReply())]),
      () => {
        wake(FRONT);
        io(FRONT, 'recv', tcp(FRONT.ip, p, INV.ip, 8080));
        fault(FRONT);
        io(FRONT, 'send', tcp(FRONT.ip, 80, GATEWAY, g));
        sleep(FRONT);
      },
    ];
  };
  let requests = 0;
  const slots: { steps: (() => void)[]; next: number }[] = [];
  for (let c = 0; c < inFlight; c++) slots.push({ steps: steps(c), next: 0 });
  while (records < targetRecords) {
    for (const s of slots) {
      s.steps[s.next]!();
      if (++s.next === s.steps.length) {
        s.next = 0;
        requests++;
      }
    }
    if (lines.length > 50_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      lines.length = 0;
    }
  }
  out.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  out.end();
  await once(out, 'finish');
  return { sortedPath, meta: [FRONT, INV, KV], gateway: GATEWAY, records, requests };
}
