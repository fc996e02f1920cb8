import { readlinkSync } from 'node:fs';
import Docker from 'dockerode';

// Who made a demo resource, and removing what dead runs left behind.

export const DEMO_LABEL = 'io.misertrace.demo';

/** Who created a resource: our pid namespace and pid (another namespace cannot judge liveness). */
export function ownerTag(): string {
  let ns = 'unknown';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // No /proc (not Linux): the tag then never matches, so nothing is ever judged stale.
  }
  return `${ns}/${process.pid}`;
}

/**
 * Removes what earlier demo runs left behind when their process died: resources labelled
 * `io.misertrace.demo` whose creator ran in OUR pid namespace and is gone. Resources of a process
 * we cannot see (another pid namespace, e.g. another container sharing the Docker engine) are
 * left alone. Never touches anything without our label.
 */
export async function removeStaleDemoResources(docker = new Docker()): Promise<string[]> {
  const removed: string[] = [];
  const [myNs] = ownerTag().split('/');
  const stale = (labels: Record<string, string> | undefined): boolean => {
    const owner = labels?.[`${DEMO_LABEL}.owner`];
    if (!labels?.[DEMO_LABEL] || !owner) return false;
    const cut = owner.lastIndexOf('/');
    const pid = Number(owner.slice(cut + 1));
    if (owner.slice(0, cut) !== myNs || !Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  for (const c of await docker.listContainers({ all: true, filters: { label: [DEMO_LABEL] } })) {
    if (!stale(c.Labels)) continue;
    await docker.getContainer(c.Id).remove({ force: true });
    removed.push(`container ${c.Names[0] ?? c.Id}`);
  }
  for (const n of await docker.listNetworks({ filters: { label: [DEMO_LABEL] } })) {
    if (!stale(n.Labels)) continue;
    await docker.getNetwork(n.Id).remove();
    removed.push(`network ${n.Name}`);
  }
  for (const img of await docker.listImages({ filters: { label: [DEMO_LABEL] } })) {
    if (!stale(img.Labels ?? undefined)) continue;
    await docker.getImage(img.Id).remove({ force: true });
    removed.push(`image ${(img.RepoTags ?? [img.Id]).join(', ')}`);
  }
  return removed;
}
