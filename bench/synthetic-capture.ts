import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { MetaEntry } from '../engine/model/meta.js';
import { buildBundle } from '../engine/bundle/build-bundle.js';

// Synthetic captures of a known shape, for benchmarks and large-trace UI tests: a frontend thread
// serves each request from the gateway, calls a backend over TCP, and forks `fanout` workers
// that each fork `grandchildren` helpers; every worker logs `userRecords` page faults. The records
// are the model records docs/request-model.md describes, in strict time order, so the real engine
// builds the bundle (nothing here bypasses sort or generate).

export interface SyntheticShape {
  requests: number;
  fanout: number;
  grandchildren: number;
  userRecords: number;
}

const GATEWAY = '10.9.0.1';
const FRONT = { tid: 100, container: 'synthetic-frontend', ip: '10.9.0.2', containerId: 'f'.repeat(64) };
const BACK = { tid: 200, container: 'synthetic-backend', ip: '10.9.0.3', containerId: 'b'.repeat(64) };

/** Spans per request: the root, the backend's network span, and the fork tree. */
export function spansPerRequest(s: SyntheticShape): number {
  return 2 + s.fanout * (1 + s.grandchildren);
}

export async function writeSyntheticCapture(dir: string, s: SyntheticShape): Promise<{ sortedPath: string; meta: MetaEntry[]; gateway: string; records: number }> {
  const sortedPath = join(dir, 'synthetic.sorted.psv');
  const out = createWriteStream(sortedPath);
  let ts = 5_000_000_000_000; // ~83 minutes of uptime
  let records = 0;
  let cpu = 0;
  let nextTid = 1000;
  const lines: string[] = [];
  const rec = (comm: string, tid: number, probe: string, details = '') => {
    ts += 1000 + (records % 7) * 37; // uneven gaps, strictly increasing
    cpu ^= 1;
    records++;
    lines.push(details === '' ? `${comm}|${tid}|${ts}|${cpu}|${probe}` : `${comm}|${tid}|${ts}|${cpu}|${probe}|${details}`);
  };
  const flush = async () => {
    if (lines.length === 0) return;
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
    lines.length = 0;
  };
  const tcp = (sport: number, dport: number, saddr: string, daddr: string) => `sport=${sport} dport=${dport} saddr=${saddr} daddr=${daddr}`;
  const work = (comm: string, tid: number, n: number) => {
    for (let k = 0; k < n; k++) rec(comm, tid, k % 5 === 4 ? 'tracepoint:sched:sched_migrate_task' : 'tracepoint:exceptions:page_fault_user');
  };
  for (let r = 0; r < s.requests; r++) {
    const clientPort = 30000 + (r % 30000);
    const callPort = 10000 + (r % 20000);
    // The request arrives from the gateway.
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_enter_read');
    rec('frontend', FRONT.tid, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', tcp(80, clientPort, FRONT.ip, GATEWAY));
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_exit_read');
    work('frontend', FRONT.tid, 3);
    // A call to the backend and its answer.
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_enter_sendto');
    rec('frontend', FRONT.tid, 'MT:tcp_send', tcp(callPort, 9000, FRONT.ip, BACK.ip));
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_exit_sendto');
    rec('backend', BACK.tid, 'MT:tracepoint:syscalls:sys_enter_recvfrom');
    rec('backend', BACK.tid, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', tcp(9000, callPort, BACK.ip, FRONT.ip));
    rec('backend', BACK.tid, 'MT:tracepoint:syscalls:sys_exit_recvfrom');
    work('backend', BACK.tid, 2);
    rec('backend', BACK.tid, 'MT:tracepoint:syscalls:sys_enter_sendto');
    rec('backend', BACK.tid, 'MT:tcp_send', tcp(9000, callPort, BACK.ip, FRONT.ip));
    rec('backend', BACK.tid, 'MT:tracepoint:syscalls:sys_exit_sendto');
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_enter_recvfrom');
    rec('frontend', FRONT.tid, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', tcp(callPort, 9000, FRONT.ip, BACK.ip));
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_exit_recvfrom');
    // Workers, each with helpers.
    for (let i = 0; i < s.fanout; i++) {
      const w = nextTid++;
      rec('frontend', FRONT.tid, 'MT:tracepoint:sched:sched_process_fork', `parent_pid=${FRONT.tid} child_pid=${w}`);
      work('worker', w, s.userRecords);
      for (let g = 0; g < s.grandchildren; g++) {
        const h = nextTid++;
        rec('worker', w, 'MT:tracepoint:sched:sched_process_fork', `parent_pid=${w} child_pid=${h}`);
        work('helper', h, s.userRecords);
        rec('helper', h, 'MT:tracepoint:sched:sched_process_exit', `pid=${h}`);
      }
      rec('worker', w, 'MT:tracepoint:sched:sched_process_exit', `pid=${w}`);
      if (lines.length > 50_000) await flush();
    }
    // The reply to the gateway ends the request.
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_enter_write');
    rec('frontend', FRONT.tid, 'MT:tcp_send', tcp(80, clientPort, FRONT.ip, GATEWAY));
    rec('frontend', FRONT.tid, 'MT:tracepoint:syscalls:sys_exit_write');
    if (lines.length > 50_000) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { sortedPath, meta: [FRONT, BACK], gateway: GATEWAY, records };
}

export async function buildSyntheticBundle(dir: string, s: SyntheticShape, name = 'synthetic.mstrace'): Promise<{ path: string; records: number }> {
  const c = await writeSyntheticCapture(dir, s);
  const path = join(dir, name);
  await buildBundle({ sortedPath: c.sortedPath, meta: c.meta, gateway: c.gateway, output: path, capture: { backend: 'import', network: 'synthetic' } });
  return { path, records: c.records };
}
