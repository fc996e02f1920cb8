// What a buffered record entry stands for: the first number of its tuple. The bpftrace fragments
// get these codes through the template ({{SCID}}, {{REC_FORK}}, {{REC_EXIT}}); the converter of
// bpftrace's map dumps (capture/bpftrace-records.ts) reads them back. Syscall codes come from the
// catalog's order, so both sides must use the same catalog.

export interface SyscallGroups {
  send: readonly string[];
  recv: readonly string[];
}

export type RecordKind = { kind: 'fork' } | { kind: 'exit' } | { kind: 'send' | 'recv'; sc: string } | { kind: 'sock_send' | 'sock_recv' | 'connect' };

export const REC_FORK = 1;
export const REC_EXIT = 2;
/** The causal set's entries (causal-sockets.bt, causal-connect.bt). */
export const REC_SOCK_SEND = 3;
export const REC_SOCK_RECV = 4;
export const REC_CONNECT = 5;
const SEND_BASE = 100;
const RECV_BASE = 200;

export function syscallCode(groups: SyscallGroups, sc: string): number {
  const s = groups.send.indexOf(sc);
  if (s >= 0) return SEND_BASE + s;
  const r = groups.recv.indexOf(sc);
  if (r >= 0) return RECV_BASE + r;
  throw new Error(`syscall ${sc} is in no group`);
}

export function recordKinds(groups: SyscallGroups): Map<number, RecordKind> {
  const m = new Map<number, RecordKind>([
    [REC_FORK, { kind: 'fork' }],
    [REC_EXIT, { kind: 'exit' }],
    [REC_SOCK_SEND, { kind: 'sock_send' }],
    [REC_SOCK_RECV, { kind: 'sock_recv' }],
    [REC_CONNECT, { kind: 'connect' }],
  ]);
  groups.send.forEach((sc, i) => m.set(SEND_BASE + i, { kind: 'send', sc }));
  groups.recv.forEach((sc, i) => m.set(RECV_BASE + i, { kind: 'recv', sc }));
  return m;
}

/**
 * The double-buffered maps of record-write.bt / record-flush.bt: entries and the count of writes
 * beside each. bpftrace prints them (every 20 ms, and what is left at exit), so the script's END
 * must not clear them.
 */
export const RECORD_MAPS = [
  { entries: 'mt_a', count: 'mt_na' },
  { entries: 'mt_b', count: 'mt_nb' },
] as const;
