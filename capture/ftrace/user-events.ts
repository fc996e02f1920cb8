import type { FieldValue } from './event-format.js';
import type { FtEvent } from './ft-event.js';
import { tupleText, type Tuple } from './socket-join.js';

// The ready-made probes' events (probes/catalog.json "optional", enabled with --probe ID) as their
// bpftrace versions print them: tcp_probe as an MT: record, the others as tracepoint:<event>.

export type WriteRecord = (comm: string, tid: number, ts: number, cpu: number, probe: string, details?: string) => void;

function big(v: FieldValue | undefined): bigint {
  return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
}

export function userEventRecord(e: FtEvent, commOf: (tid: number) => string, traced: ReadonlySet<number>, line: WriteRecord): void {
  const probe = `tracepoint:${e.name}`;
  switch (e.name) {
    case 'tcp:tcp_probe': {
      const v6 = e.num('family') === 10;
      const t: Tuple = { sport: e.num('sport'), dport: e.num('dport'), saddr: e.addr('saddr', v6 ? 20 : 4), daddr: e.addr('daddr', v6 ? 20 : 4) };
      line(commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:tcp_probe', tupleText(t));
      return;
    }
    case 'sched:sched_migrate_task': {
      const tid = e.num('pid');
      if (!traced.has(tid)) return;
      const comm = e.get('comm');
      line(typeof comm === 'string' ? comm : commOf(tid), tid, e.ts, e.cpu, probe, `orig_cpu=${e.num('orig_cpu')} dest_cpu=${e.num('dest_cpu')}`);
      return;
    }
    case 'sched:sched_switch': {
      // One record per traced side, as sched-switch.bt prints them: next_pid == tid is the
      // thread taking the CPU (docs/adr/0090).
      const prev = e.num('prev_pid');
      const next = e.num('next_pid');
      const details = `prev_state=${e.num('prev_state')} next_pid=${next}`;
      if (traced.has(prev)) line(commOf(prev), prev, e.ts, e.cpu, probe, details);
      if (traced.has(next)) {
        const comm = e.get('next_comm');
        line(typeof comm === 'string' ? comm : commOf(next), next, e.ts, e.cpu, probe, details);
      }
      return;
    }
    case 'sched:sched_wakeup': {
      const tid = e.num('pid');
      if (!traced.has(tid)) return;
      const comm = e.get('comm');
      line(typeof comm === 'string' ? comm : commOf(tid), tid, e.ts, e.cpu, probe, `target_cpu=${e.num('target_cpu')}`);
      return;
    }
    case 'block:block_bio_queue':
      line(commOf(e.pid), e.pid, e.ts, e.cpu, probe, `dev=${e.num('dev')} sector=${big(e.get('sector'))} bytes=${e.num('nr_sector') * 512} rwbs=${String(e.get('rwbs') ?? '')}`);
      return;
    case 'exceptions:page_fault_user':
      line(commOf(e.pid), e.pid, e.ts, e.cpu, probe);
      return;
    default:
      line(commOf(e.pid), e.pid, e.ts, e.cpu, probe);
  }
}
