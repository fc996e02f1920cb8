import type { NetworkJoin, NetworkWatch } from '../discovery/network-watch.js';
import type { CaptureCollaborators } from './capture-collaborators.js';
import type { CapturePlan } from './capture-plan.js';
import type { PhaseContext } from './capture-types.js';

// Containers restarted or added on the traced network while a capture runs (docs/adr/0075).
// Neither backend can add threads to its filter once attached (bpftrace's tid list is compiled
// into its script; the ftrace helper's set_event_pid follows forks of the traced threads only,
// and a restarted container's processes are forked by containerd-shim, not by them), so such a
// container's threads are not traced after the change: the bundle is marked partial, saying
// which container and when. Nothing is claimed complete that is not.

export class NetworkChanges {
  private readonly joins = new Map<string, NetworkJoin>();
  private watch: NetworkWatch | null = null;
  private until: Date | null = null;

  constructor(private readonly ctx: Pick<PhaseContext, 'log'>) {}

  /** Starts following the plan's network (from its discovery time). */
  start(watch: CaptureCollaborators['watchNetwork'], plan: CapturePlan): void {
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
    if (this.joins.has(j.containerId)) return;
    this.joins.set(j.containerId, j);
    this.ctx.log('warn', `${describe(j)}; stop and capture again to trace it`);
  }

  /** Stops following; changes after `at` do not concern this capture. */
  stop(at: Date): void {
    this.until = at;
    this.watch?.dispose();
    this.watch = null;
  }

  /** One reason per container that changed, in the order they did. */
  reasons(): string[] {
    return [...this.joins.values()].sort((a, b) => a.at.getTime() - b.at.getTime()).map(describe);
  }

  dispose(): void {
    this.watch?.dispose();
    this.watch = null;
  }
}

function describe(j: NetworkJoin): string {
  const t = j.at.toISOString();
  return j.known ? `container ${j.name} restarted at ${t}; its threads after ${t} are not traced` : `container ${j.name} joined the network at ${t}; its threads are not traced`;
}
