import type { EventFormat } from './event-format.js';
import type { FtraceChildConfig } from './ftrace-config.js';

// The causal set's thread filter, moved out of the kernel's pid list (docs/adr/0125).
// set_event_pid hooks every context switch and wakeup of the machine, and that hook was most of
// what the causal capture cost the application. Instead every event goes to the instance without
// a pid list; the events that fire in the thread's own context (send, receive, receive-space)
// carry a filter on the thread's name (`COMM`), which the kernel checks only when such an event
// fires, so that the load generator's and docker-proxy's sockets cost a filter check and no
// record; and the reader keeps exactly the traced threads and their children (record-converter.ts).
// A name is a prefilter, never the decision: a host process of the same name costs records, not
// accuracy. What it must never do is drop a traced thread: a child inherits its parent's name, and
// a rename or exec (task:task_rename, unfiltered) of a thread whose old name is in the set adds the
// new name, which the relay writes to the filter at once (`filter ...` on the helper's stdin).
// Until that write lands the renamed thread's sends and receives are not recorded: the capture's
// note counts such renames.

/** Events of the traced list that go unfiltered: rare, and the reader needs every one (forks above all). */
const UNFILTERED = /^(sched|task):/;
/** More names than this and the filter is dropped (every socket event is recorded; the reader still filters). */
export const MAX_PATTERNS = 48;

/** A name as a filter term: exact where it is plain, else a glob with `?` for any other byte; numbered names (pool threads) as their prefix. */
export function commPattern(comm: string): string {
  const numbered = /^(.*[^0-9])[0-9]+$/.exec(comm);
  const stem = numbered ? numbered[1]! : comm;
  const plain = /^[A-Za-z0-9 _.:/@+=,%#-]*$/.test(stem);
  // The kernel compares bytes: one `?` per byte of a character that cannot be written plainly.
  const safe = plain ? stem : stem.replace(/[^A-Za-z0-9 _.:/@+=,%#-]/gu, (c) => '?'.repeat(Buffer.byteLength(c)));
  return numbered || !plain ? `COMM ~ "${safe}*"` : `COMM == "${safe}"`;
}

/** The filter terms of these names, sorted, duplicates once. */
export function commPatterns(comms: Iterable<string>): string[] {
  return [...new Set([...comms].map(commPattern))].sort();
}

/** `base && (COMM ...)`; the base alone when there are no or too many patterns. */
export function withCommFilter(base: string | undefined, patterns: readonly string[]): string | undefined {
  if (patterns.length === 0 || patterns.length > MAX_PATTERNS) return base;
  const names = `(${patterns.join(' || ')})`;
  return base ? `(${base}) && ${names}` : names;
}

/** A causal config's events with the thread filter in the reader: nothing in the pid-filtered instance. */
export function readerFilteredEvents(cfg: Pick<FtraceChildConfig, 'traced' | 'sockets'>, comms: Iterable<string>): Required<Pick<FtraceChildConfig, 'traced' | 'sockets' | 'byName'>> {
  const patterns = commPatterns(comms);
  const sockets = [...cfg.sockets];
  const byName: { event: string; filter?: string }[] = [];
  for (const spec of cfg.traced) {
    const e = typeof spec === 'string' ? { event: spec } : spec;
    if (UNFILTERED.test(e.event)) sockets.push(e);
    else {
      const filter = withCommFilter(e.filter, patterns);
      sockets.push(filter === undefined ? { event: e.event } : { event: e.event, filter });
      byName.push(e);
    }
  }
  return { traced: [], sockets, byName };
}

/**
 * Follows the names of the traced threads while the capture runs: a rename (or exec) of a thread
 * whose old name is in the set adds the new one. The relay's page walk feeds it task_rename
 * events; `changes()` gives the filter lines to send when the patterns grew.
 */
export class CommWatch {
  private readonly comms: Set<string>;
  private patterns: string[];
  private id = -1;
  private oldAt = -1;
  private newAt = -1;
  /** Renames that widened the filter (each may have lost events until the write landed). */
  widened = 0;
  private dirty = false;

  constructor(
    comms: Iterable<string>,
    /** The events filtered by name, with their base filter (the config's, without the names). */
    private readonly filtered: readonly { event: string; filter?: string }[],
  ) {
    this.comms = new Set(comms);
    this.patterns = commPatterns(this.comms);
  }

  /** Where task_rename's fields are; false when the formats have none (nothing to follow). */
  useFormats(formats: Iterable<EventFormat>): boolean {
    for (const f of formats) {
      if (f.name !== 'task:task_rename') continue;
      this.id = f.id;
      this.oldAt = f.fields.get('oldcomm')?.offset ?? -1;
      this.newAt = f.fields.get('newcomm')?.offset ?? -1;
    }
    return this.id >= 0 && this.oldAt >= 0 && this.newAt >= 0;
  }

  wants(id: number): boolean {
    return id === this.id;
  }

  event(_id: number, page: Buffer, start: number): void {
    const old = cString(page, start + this.oldAt, 16);
    if (!this.comms.has(old)) return;
    this.add([cString(page, start + this.newAt, 16)]);
  }

  /** Names of threads added during the capture (a container joined the network), or renamed. */
  add(names: Iterable<string>): void {
    for (const n of names) {
      if (this.comms.has(n)) continue;
      this.comms.add(n);
      const next = commPatterns(this.comms);
      if (next.length === this.patterns.length) continue;
      this.patterns = next;
      this.widened++;
      this.dirty = true;
    }
  }

  /** The helper lines that rewrite the filters, when the patterns grew since the last call. */
  changes(): string[] {
    if (!this.dirty) return [];
    this.dirty = false;
    return this.filtered.map((e) => `filter sockets|${e.event}|${withCommFilter(e.filter, this.patterns) ?? '0'}`);
  }
}

function cString(page: Buffer, at: number, max: number): string {
  const end = page.indexOf(0, at);
  return page.toString('utf8', at, end < 0 || end > at + max ? at + max : end);
}
