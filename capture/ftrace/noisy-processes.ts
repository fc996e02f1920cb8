import { readFileSync, readlinkSync } from 'node:fs';
import type { EventFormat } from './event-format.js';
import type { FtraceChildConfig } from './ftrace-config.js';
import type { EventWatch } from './ring-buffer-page.js';
import { i32 } from './le-bytes.js';

// The causal set's thread filter, moved out of the kernel's pid list (docs/adr/0125).
// set_event_pid hooks every context switch and wakeup of the machine, and that hook was most of
// what the causal capture cost the application. Instead every event goes to the instance without
// a pid list and the reader keeps exactly the traced threads and their children
// (record-converter.ts). Left at that, the kernel would record every socket event of the machine:
// the load generator's and docker-proxy's as well. So the relay finds the processes that make many
// socket events, are not ours and live outside the traced containers' network namespaces, and
// keeps their names out of the events that fire in the thread's own context (send, receive,
// receive-space): `COMM != "wrk"`, a check the kernel makes only when such an event fires.
// The names are left out, never put in: a traced thread that forks and execs (a CGI, a shell
// script) keeps being recorded under its new name at once. Only a traced thread renamed to a name
// already left out (a host process's) can lose events: the rename (task_rename, unfiltered)
// takes the name back in, which the relay writes at once; the capture's note counts that.

/** Events of the traced list that need no name check: rare, and the reader needs every one (forks above all). */
const UNFILTERED = /^(sched|task):/;
/** Socket events of one process before the relay looks at what it is. */
export const NOISY_EVENTS = 64;
/** At most this many names are left out (the busiest first come first). */
export const MAX_EXCLUDED = 32;

/** `COMM != "name"` for a name the filter grammar can hold plainly; null for another. */
export function excludeTerm(comm: string): string | null {
  return comm !== '' && /^[A-Za-z0-9 _.:/@+=,%#-]+$/.test(comm) ? `COMM != "${comm}"` : null;
}

/** `(base) && COMM != "a" && ...`; the base alone (null: no filter) when nothing is left out. */
export function withExclusions(base: string | undefined, names: Iterable<string>): string | null {
  const terms = [...names].map(excludeTerm).filter((t): t is string => t !== null);
  if (terms.length === 0) return base ?? null;
  return [base ? `(${base})` : null, ...terms].filter((t) => t !== null).join(' && ');
}

/** A causal config's events with the thread filter in the reader: nothing in the pid-filtered instance. */
export function readerFilteredEvents(cfg: Pick<FtraceChildConfig, 'traced' | 'sockets'>): Required<Pick<FtraceChildConfig, 'traced' | 'sockets' | 'byName'>> {
  const sockets = [...cfg.sockets];
  const byName: { event: string; filter?: string }[] = [];
  for (const spec of cfg.traced) {
    const e = typeof spec === 'string' ? { event: spec } : spec;
    sockets.push(e);
    if (!UNFILTERED.test(e.event)) byName.push(e);
  }
  return { traced: [], sockets, byName };
}

const enum Role {
  None = 0,
  Socket = 1,
  Fork = 2,
  Exit = 3,
  Rename = 4,
}

/** How the relay looks at a process (tests pass their own). */
export interface ProcessLookup {
  /** The network namespace (`net:[inode]`); GONE when the process is gone, null when it may not be read. */
  netns(pid: number): string | null;
  comm(pid: number): string | null;
}

/** What `netns` says of a process that ended. */
export const GONE = 'gone';

export const procLookup: ProcessLookup = {
  netns: (pid) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? GONE : null;
    }
  },
  comm: (pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
    } catch {
      return null;
    }
  },
};

/**
 * Follows the traced threads (forks, exits) and their names (renames) while the capture runs, and
 * counts the socket events of everything else; `review()` after a pass leaves out the names of
 * busy processes of other network namespaces, `changes()` gives the helper lines when the names
 * left out changed.
 */
export class NoisyProcesses implements EventWatch {
  private readonly role = new Uint8Array(1 << 16);
  private pidAt = -1;
  private childAt = -1;
  private renamePidAt = -1;
  private oldAt = -1;
  private newAt = -1;
  readonly threads: Set<number>;
  /** Every name a traced thread had: never left out. */
  private readonly ours: Set<string>;
  private readonly netns: Set<string>;
  private readonly seen = new Map<number, number>();
  /** Processes looked at: left out, or kept (ours by namespace or name, gone, or not writable). */
  private readonly judged = new Set<number>();
  readonly excluded = new Set<string>();
  /** Every name left out during the capture, in order (the note lists them). */
  readonly leftOut: string[] = [];
  /** Names taken back in because a traced thread took them (each may have lost events until the write landed). */
  readonly readmitted: string[] = [];
  private dirty = false;

  constructor(
    tids: Iterable<number>,
    comms: Iterable<string>,
    /** The events filtered by name, with their base filter (the config's). */
    private readonly filtered: readonly { event: string; filter?: string }[],
    private readonly lookup: ProcessLookup = procLookup,
  ) {
    this.threads = new Set(tids);
    this.ours = new Set(comms);
    this.netns = new Set();
    for (const t of this.threads) {
      const ns = lookup.netns(t);
      if (ns !== null && ns !== GONE) this.netns.add(ns);
    }
  }

  /** Where the fields are; false when the formats lack one this needs. */
  useFormats(formats: Iterable<EventFormat>): boolean {
    const byName = new Set(this.filtered.map((e) => e.event));
    let fork = false;
    let rename = false;
    for (const f of formats) {
      if (f.id >= this.role.length) continue;
      const at = (n: string) => f.fields.get(n)?.offset ?? -1;
      this.pidAt = at('common_pid');
      if (byName.has(f.name)) this.role[f.id] = Role.Socket;
      else if (f.name === 'sched:sched_process_fork') {
        this.role[f.id] = Role.Fork;
        this.childAt = at('child_pid');
        fork = this.childAt >= 0;
      } else if (f.name === 'sched:sched_process_exit') this.role[f.id] = Role.Exit;
      else if (f.name === 'task:task_rename') {
        this.role[f.id] = Role.Rename;
        [this.renamePidAt, this.oldAt, this.newAt] = [at('pid'), at('oldcomm'), at('newcomm')];
        rename = this.renamePidAt >= 0 && this.oldAt >= 0 && this.newAt >= 0;
      }
    }
    return this.pidAt >= 0 && fork && rename;
  }

  wants(id: number): boolean {
    return this.role[id] !== Role.None;
  }

  event(id: number, page: Buffer, start: number): void {
    const pid = i32(page, start + this.pidAt);
    switch (this.role[id]) {
      case Role.Socket:
        if (!this.threads.has(pid) && !this.judged.has(pid)) this.seen.set(pid, (this.seen.get(pid) ?? 0) + 1);
        return;
      case Role.Fork:
        if (this.threads.has(pid)) this.threads.add(i32(page, start + this.childAt));
        return;
      case Role.Exit:
        this.threads.delete(pid);
        this.judged.delete(pid);
        return;
      case Role.Rename: {
        // Pages come per CPU, not in time order: a child's rename can come before its fork, so
        // a thread not known yet counts when its old name is ours and it lives in a traced
        // namespace (or we cannot tell): a host process of our name exec'ing (node starting wrk)
        // does not make the new name ours.
        const who = i32(page, start + this.renamePidAt);
        if (!this.threads.has(who)) {
          if (!this.ours.has(cString(page, start + this.oldAt))) return;
          // Gone by now (wrk's warm-up run, a short command): nothing of it is left to record.
          const ns = this.lookup.netns(who);
          if (ns === GONE || (ns !== null && !this.netns.has(ns))) return;
        }
        this.takeBack(cString(page, start + this.newAt));
      }
    }
  }

  /** Threads traced from now on (a container joined the network): their names are ours again. */
  addThreads(tids: Iterable<number>, names: Iterable<string>): void {
    for (const t of tids) {
      this.threads.add(t);
      const ns = this.lookup.netns(t);
      if (ns !== null && ns !== GONE) this.netns.add(ns);
    }
    for (const n of names) this.takeBack(n);
  }

  private takeBack(name: string): void {
    this.ours.add(name);
    if (!this.excluded.delete(name)) return;
    this.readmitted.push(name);
    this.dirty = true;
  }

  /** After a pass: the busy processes not ours are looked at once; their names are left out. */
  review(): void {
    for (const [pid, n] of this.seen) {
      if (n < NOISY_EVENTS) continue;
      this.seen.delete(pid);
      this.judged.add(pid);
      const ns = this.lookup.netns(pid);
      // Another thread of a traced container (a docker exec, a thread we did not see start): kept.
      // A namespace we may not read (an unprivileged relay, another user's process) decides
      // nothing: the name alone does, since a name that was never ours drops no traced thread.
      if (ns === GONE || (ns !== null && this.netns.has(ns))) continue;
      const comm = this.lookup.comm(pid);
      if (comm === null || this.ours.has(comm) || this.excluded.has(comm) || excludeTerm(comm) === null) continue;
      if (this.excluded.size >= MAX_EXCLUDED) continue;
      this.excluded.add(comm);
      if (!this.leftOut.includes(comm)) this.leftOut.push(comm);
      this.dirty = true;
    }
    // A process that never gets busy is not counted forever.
    if (this.seen.size > 4096) this.seen.clear();
  }

  /** The helper lines that rewrite the filters, when the names left out changed since the last call. */
  changes(): string[] {
    if (!this.dirty) return [];
    this.dirty = false;
    // "0" clears a filter (an event without a base filter once nothing is left out).
    return this.filtered.map((e) => `filter sockets|${e.event}|${withExclusions(e.filter, this.excluded) ?? '0'}`);
  }
}

function cString(page: Buffer, at: number): string {
  const end = page.indexOf(0, at);
  return page.toString('utf8', at, end < 0 || end > at + 16 ? at + 16 : end);
}
