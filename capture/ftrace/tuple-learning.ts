import type { EventFormat } from './event-format.js';
import { tupleKey } from './old-connections.js';
import { u16, u32, i32 } from './le-bytes.js';

// Whether the causal set's capture still needs tcp_rcv_space_adjust (docs/adr/0106). That event
// fires on every receive that copies data (a third of the set's events on /stock) and only
// teaches the 4-tuples of connections older than the capture: a connection made during it is
// known from its SYN_SENT/ESTABLISHED (inet_sock_set_state, always on). So the relay watches the
// pages as it counts them: sends and receives on a socket pointer it knows (connected, accepted
// or learned, and not closed since) need nothing; one on a pointer it does not know is "pending".
// Learning is switched off once nothing has been pending for QUIET_MS (and not before MIN_ON_MS
// into the capture), and, where the connections the application held at the attach are known
// (old-connections.ts: a local capture), not before each of them was learned or closed, for up
// to OLD_MS: a pooled connection idle through the first seconds would otherwise be used first
// while learning is off, and a short capture could end before its next receive. On again as
// soon as something is pending. A pending socket's records wait in the join after the capture until
// its next receive with learning on, or its CLOSE (which carries the tuple), gives its tuple; one
// that neither receives again nor closes before the end stays unresolved and is counted.

export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_CLOSE = 7;
const QUIET_MS = 2000;
const MIN_ON_MS = 2000;
const OLD_MS = 30_000;

const enum Role {
  None = 0,
  /** sock_send_length / sock_recv_length: field `sk`. */
  Record = 1,
  /** inet_sock_set_state: fields `skaddr`, `newstate`. */
  State = 2,
  /** tcp_rcv_space_adjust: field `skaddr`. */
  Learn = 3,
}

export class TupleLearning {
  private readonly role = new Uint8Array(1 << 16);
  private readonly ptrAt = new Int32Array(1 << 16);
  private stateAt = -1;
  /** `family` and `protocol` of the send and receive events (the same offsets in both). */
  private familyAt = -1;
  private protocolAt = -1;
  /** Offsets of sport, dport, saddr, daddr in the state and learn events (the same in both). */
  private readonly tupleAt = new Int32Array(4 << 16).fill(-1);
  /** Connections held at the attach and not yet learned or closed (null: not known). */
  private oldUnseen: Set<string> | null = null;
  private readonly known = new Set<number>();
  /** The traced threads and their children, when the kernel does not filter by thread (docs/adr/0125). */
  private threads: ReadonlySet<number> | null = null;
  private pidAt = -1;
  private readonly pending = new Set<number>();
  private on = true;
  private onSince: number;
  private quietSince: number | null = null;
  /** How often learning was switched off and on again (the capture's notes say so). */
  readonly switches = { off: 0, on: 0 };
  /** When (ms after the watch began) each switch was decided: the notes list the first ones. */
  readonly times: { at: number; to: 'on' | 'off' }[] = [];
  private readonly t0: number;

  private constructor(now: number) {
    this.onSince = now;
    this.t0 = now;
  }

  /** A watch for these formats, or null when the capture has no tcp_rcv_space_adjust to switch. */
  static forFormats(formats: Iterable<EventFormat>, now = Date.now()): TupleLearning | null {
    const w = new TupleLearning(now);
    let learn = false;
    for (const f of formats) {
      const field = (n: string) => f.fields.get(n)?.offset ?? -1;
      if (f.name === 'sock:sock_send_length' || f.name === 'sock:sock_recv_length') {
        w.set(f.id, Role.Record, field('sk'));
        w.familyAt = field('family');
        w.protocolAt = field('protocol');
      }
      else if (f.name === 'sock:inet_sock_set_state') {
        w.set(f.id, Role.State, field('skaddr'));
        w.stateAt = field('newstate');
        w.tupleFields(f);
      } else if (f.name === 'tcp:tcp_rcv_space_adjust') {
        learn = w.set(f.id, Role.Learn, field('skaddr'));
        w.tupleFields(f);
      }
      if (w.pidAt < 0) w.pidAt = field('common_pid');
    }
    return learn && w.stateAt >= 0 && w.familyAt >= 0 && w.protocolAt >= 0 ? w : null;
  }

  /** Only these threads' sends and receives count (the set follows forks: noisy-processes.ts): the events come from every process. */
  followThreads(threads: ReadonlySet<number>): void {
    if (this.pidAt >= 0) this.threads = threads;
  }

  /** The connections held at the attach: learning stays on until each is learned or closed (up to OLD_MS). */
  expectOld(tuples: ReadonlySet<string> | null): void {
    this.oldUnseen = tuples === null || tuples.size === 0 ? null : new Set(tuples);
  }

  /** Connections held at the attach still unseen (0 when none or not known). */
  get oldUnseenCount(): number {
    return this.oldUnseen?.size ?? 0;
  }

  private tupleFields(f: EventFormat): void {
    const at = (n: string) => f.fields.get(n)?.offset ?? -1;
    const [sp, dp, sa, da] = [at('sport'), at('dport'), at('saddr'), at('daddr')];
    if (sp < 0 || dp < 0 || sa < 0 || da < 0 || f.id >= this.tupleAt.length / 4) return;
    this.tupleAt.set([sp, dp, sa, da], f.id * 4);
  }

  /** Marks the connection of this state or learn event as seen (when the old ones are awaited). */
  private seen(id: number, page: Buffer, start: number): void {
    if (this.oldUnseen === null || this.oldUnseen.size === 0) return;
    const o = id * 4;
    if (this.tupleAt[o]! < 0) return;
    const key = tupleKey(u32(page, start + this.tupleAt[o + 2]!), u16(page, start + this.tupleAt[o]!), u32(page, start + this.tupleAt[o + 3]!), u16(page, start + this.tupleAt[o + 1]!));
    this.oldUnseen.delete(key);
  }

  private set(id: number, role: Role, at: number): boolean {
    if (at < 0 || id >= this.role.length) return false;
    this.role[id] = role;
    this.ptrAt[id] = at;
    return true;
  }

  /** Whether events of type `id` matter here (the page walk calls `event` only for those). */
  wants(id: number): boolean {
    return this.role[id] !== Role.None;
  }

  /** One event of interest: `start` is where its payload (common_type first) begins in `page`. */
  event(id: number, page: Buffer, start: number): void {
    // Kernel addresses: the low 48 bits tell sockets apart (the high ones are the same for all).
    const role = this.role[id];
    const at = start + this.ptrAt[id]!;
    const sk = u16(page, at + 4) * 2 ** 32 + u32(page, at);
    switch (role) {
      case Role.Record: {
        // Only TCP over IPv4/IPv6 makes records (the capture's filter says so too; a UNIX socket never gets a tuple).
        const family = u16(page, start + this.familyAt);
        if (this.threads !== null && !this.threads.has(i32(page, start + this.pidAt))) return;
        if (u16(page, start + this.protocolAt) === 6 && (family === 2 || family === 10) && !this.known.has(sk)) this.pending.add(sk);
        return;
      }
      case Role.State: {
        const state = i32(page, start + this.stateAt);
        // A CLOSE carries the tuple too: what waited on the socket is resolved by it.
        if (state === TCP_CLOSE) this.known.delete(sk);
        else if (state === TCP_ESTABLISHED || state === TCP_SYN_SENT) this.known.add(sk);
        this.pending.delete(sk);
        if (state === TCP_CLOSE) this.seen(id, page, start);
        return;
      }
      case Role.Learn:
        this.known.add(sk);
        this.pending.delete(sk);
        this.seen(id, page, start);
    }
  }

  /** After a pass over new pages: 'on' or 'off' when learning should switch, else null. */
  decide(now = Date.now()): 'on' | 'off' | null {
    if (this.pending.size > 0) {
      this.quietSince = null;
      if (this.on) return null;
      this.on = true;
      this.onSince = now;
      this.switches.on++;
      this.times.push({ at: now - this.t0, to: 'on' });
      return 'on';
    }
    if (!this.on) return null;
    this.quietSince ??= now;
    if (this.oldUnseenCount > 0 && now - this.t0 < OLD_MS) return null;
    if (now - this.quietSince < QUIET_MS || now - this.onSince < MIN_ON_MS) return null;
    this.on = false;
    this.switches.off++;
    this.times.push({ at: now - this.t0, to: 'off' });
    return 'off';
  }

  /** Sockets with records whose tuple nobody has told yet. */
  get pendingSockets(): number {
    return this.pending.size;
  }
}
