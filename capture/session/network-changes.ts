import type Docker from 'dockerode';
import { createDocker } from '../discovery/docker-connection.js';
import { DiscoveryService } from '../discovery/network-discovery.js';
import type { NetworkJoin, NetworkWatch } from '../discovery/network-watch.js';
import { FtraceRelay } from '../ftrace/ftrace-relay.js';
import type { Attachment } from './attach-phase.js';
import type { CaptureCollaborators } from './capture-collaborators.js';
import type { CapturePlan } from './capture-plan.js';
import type { CaptureOptions, PhaseContext } from './capture-types.js';

// Containers restarted or added on the traced network while a capture runs (docs/adr/0075).
// A restarted container's processes are forked by containerd-shim, not by a traced thread, so no
// filter follows them by itself. The ftrace helper takes new thread ids on its stdin: the
// container's threads are found again and added, and the bundle says from when they are traced
// (what the container did before that is missing: still partial). bpftrace's thread ids are
// compiled into its script: there the container's threads are not traced after the change. Either
// way the bundle is marked partial, naming the container and the times; never complete.

/** Adds a joined container's threads to the running capture; resolves to when, or null when it cannot. */
export type ThreadAdder = (j: NetworkJoin) => Promise<{ at: Date; threads: number } | null>;

interface Change {
  join: NetworkJoin;
  traced: Promise<{ at: Date; threads: number } | null>;
}

export class NetworkChanges {
  private readonly changes: Change[] = [];
  private watch: NetworkWatch | null = null;
  private until: Date | null = null;
  private adder: ThreadAdder | null = null;

  constructor(private readonly ctx: Pick<PhaseContext, 'log'>) {}

  /** Starts following the plan's network (from its discovery time); `adder` traces joined containers where the backend can. */
  start(watch: CaptureCollaborators['watchNetwork'], plan: CapturePlan, adder: ThreadAdder | null = null): void {
    this.adder = adder;
    if (watch === null) {
      this.ctx.log('warn', 'containers restarted or added during this capture are not followed on this host: restart none while it runs');
      return;
    }
    this.watch = watch(plan.discovery, (j) => this.onJoin(j));
    this.watch.ready.catch((e: unknown) =>
      this.ctx.log('warn', `cannot follow Docker's events (${(e as Error).message}): a container restarted during the capture would not be noticed`),
    );
  }

  private onJoin(j: NetworkJoin): void {
    if (this.until !== null && j.at > this.until) return;
    const traced = (this.adder?.(j) ?? Promise.resolve(null)).catch((e: unknown) => {
      this.ctx.log('warn', `adding the threads of ${j.name}: ${(e as Error).message}`);
      return null;
    });
    this.changes.push({ join: j, traced });
    void traced.then((t) => {
      if (t !== null) this.ctx.log('warn', `${describe(j, t.at)} (${t.threads} threads added)`);
      else this.ctx.log('warn', `${describe(j, null)}; stop and capture again to trace it`);
    });
  }

  /** Stops following (changes after `at` do not concern this capture) once the additions under way are done. */
  async stop(at: Date): Promise<void> {
    this.until = at;
    this.watch?.dispose();
    this.watch = null;
    await Promise.all(this.changes.map((c) => c.traced));
  }

  /** One reason per change, in the order they happened. */
  async reasons(): Promise<string[]> {
    const sorted = [...this.changes].sort((a, b) => a.join.at.getTime() - b.join.at.getTime());
    return Promise.all(sorted.map(async (c) => describe(c.join, (await c.traced)?.at ?? null)));
  }

  dispose(): void {
    this.watch?.dispose();
    this.watch = null;
  }
}

function describe(j: NetworkJoin, tracedAt: Date | null): string {
  const t = j.at.toISOString();
  const what = j.known ? `container ${j.name} restarted at ${t}` : `container ${j.name} joined the network at ${t}`;
  if (tracedAt !== null) return `${what}; its threads are traced from ${tracedAt.toISOString()} (${Math.max(0, tracedAt.getTime() - j.at.getTime())} ms later: what it did before is not)`;
  return j.known ? `${what}; its threads after ${t} are not traced` : `${what}; its threads are not traced`;
}

/**
 * The ftrace backend's adder: the container's threads as discovery finds them now (it may still be
 * starting: tried again for a few seconds), given to the helper ("pids N,N" on its stdin), to the
 * page conversion (their names) and to the meta the bundle is built with. Null for bpftrace.
 */
export function ftraceThreadAdder(o: Pick<CaptureOptions, 'network' | 'docker'>, plan: CapturePlan, a: Attachment): ThreadAdder | null {
  const relay = a.pump;
  const child = a.child;
  if (!(relay instanceof FtraceRelay) || child.writeLine === undefined) return null;
  let discovery: DiscoveryService | null = null;
  let docker: Docker | null = null;
  return async (j) => {
    // Made at the first change (inside the promise: a Docker endpoint it cannot use is a warning).
    discovery ??= new DiscoveryService(o.docker ?? {});
    docker ??= createDocker(o.docker ?? {});
    const deadline = Date.now() + 5000;
    // The connect event comes before the container runs: a cheap inspect until it does, then the
    // (slower, ~0.5 s here) discovery of its threads.
    while (Date.now() < deadline && !child.hasExited) {
      const state = await docker.getContainer(j.containerId).inspect().then((c) => c.State, () => null);
      if (state?.Running === true && state.Pid > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    for (;;) {
      const d = await discovery.discover(o.network).catch(() => null);
      const known = new Set(plan.discovery.meta.map((m) => m.tid));
      const fresh = d?.meta.filter((m) => m.containerId === j.containerId && !known.has(m.tid)) ?? [];
      if (d !== null && fresh.length > 0 && !child.hasExited) {
        const tids = fresh.map((m) => m.tid);
        child.writeLine!(`pids ${tids.join(',')}`);
        relay.addThreads(tids, d.comms);
        plan.discovery.meta.push(...fresh);
        for (const t of tids) plan.discovery.comms.set(t, d.comms.get(t) ?? '');
        return { at: new Date(), threads: tids.length };
      }
      if (Date.now() > deadline || child.hasExited) return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
}
