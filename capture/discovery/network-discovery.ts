import { writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { formatMeta, isIPv4, type MetaEntry } from '../../engine/model/meta.js';
import { fileError } from '../../engine/records/line-reader.js';
import { DiscoveryError } from './discovery-errors.js';
import { createDocker, dockerError, resolveSocketPath, type DockerEndpoint } from './docker-connection.js';
import { descendants, localProc, type ProcSource, type TaskInfo } from './proc-tasks.js';

// Discovery: which threads belong to the containers of a Docker network. dockerode gives the
// network (gateway) and its containers (name, IP, image, state, root PID); /proc gives every
// process of each container (descendants of the root PID, plus processes in its pid namespace,
// such as `docker exec` ones) and every thread of those processes. The result is the meta file.

export interface NetworkSummary {
  name: string;
  id: string;
  driver: string;
  gateway: string | null;
  subnet: string | null;
  containerCount: number;
}

export interface DiscoveredProcess {
  pid: number;
  comm: string;
  threads: TaskInfo[];
}

export interface DiscoveredContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  ip: string;
  rootPid: number;
  processes: DiscoveredProcess[];
  threadCount: number;
}

export interface NetworkDiscovery {
  network: NetworkSummary;
  gateway: string;
  containers: DiscoveredContainer[];
  /** Containers attached to the network that are not running (nothing to trace). */
  skipped: { name: string; state: string }[];
  meta: MetaEntry[];
  /** comm of every discovered thread, for backends that must name threads themselves. */
  comms: Map<number, string>;
  discoveredAt: string;
}

export interface DiscoveryOptions extends DockerEndpoint {
  docker?: Docker;
  procRoot?: string;
  /** Processes from elsewhere than procRoot (a remote host's /proc). */
  proc?: ProcSource;
}

interface NetworkInspect {
  Name: string;
  Id: string;
  Driver: string;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
  Containers?: Record<string, { Name?: string; IPv4Address?: string }>;
}

function ipv4Config(n: NetworkInspect): { subnet: string | null; gateway: string | null } {
  for (const c of n.IPAM?.Config ?? []) {
    const subnet = c.Subnet && /^\d+\.\d+\.\d+\.\d+\//.test(c.Subnet) ? c.Subnet : null;
    if (subnet === null) continue;
    // Some networks list no Gateway; Docker then uses the subnet's first address.
    const gateway = c.Gateway && isIPv4(c.Gateway) ? c.Gateway : firstHost(subnet);
    return { subnet, gateway };
  }
  return { subnet: null, gateway: null };
}

function firstHost(cidr: string): string | null {
  const [ip, bits] = cidr.split('/');
  const parts = ip!.split('.').map(Number);
  if (parts.length !== 4 || Number(bits) >= 31) return null;
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  const h = ((n & mask) + 1) >>> 0;
  return [h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255].join('.');
}

export class DiscoveryService {
  private readonly docker: Docker;
  private readonly socketPath: string;
  private readonly procRoot: string;
  private readonly proc: ProcSource;

  constructor(opts: DiscoveryOptions = {}) {
    this.socketPath = resolveSocketPath(opts);
    this.docker = opts.docker ?? createDocker(opts);
    this.procRoot = opts.procRoot ?? '/proc';
    this.proc = opts.proc ?? localProc(this.procRoot);
  }

  /** Checks that the engine answers; throws a DiscoveryError saying what to do otherwise. */
  async ping(): Promise<{ version: string; apiVersion: string }> {
    try {
      const v = (await this.docker.version()) as { Version: string; ApiVersion: string };
      return { version: v.Version, apiVersion: v.ApiVersion };
    } catch (e) {
      throw dockerError(e, this.socketPath, 'asking for its version');
    }
  }

  async listNetworks(): Promise<NetworkSummary[]> {
    let list: NetworkInspect[];
    try {
      list = (await this.docker.listNetworks()) as unknown as NetworkInspect[];
    } catch (e) {
      throw dockerError(e, this.socketPath, 'listing networks');
    }
    // The list endpoint leaves Containers empty: count them from an inspect of each network.
    const out: NetworkSummary[] = [];
    for (const n of list) {
      const full = await this.inspectNetwork(n.Name).catch(() => n);
      out.push(this.summary(full));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private summary(n: NetworkInspect): NetworkSummary {
    const { subnet, gateway } = ipv4Config(n);
    return { name: n.Name, id: n.Id, driver: n.Driver, gateway, subnet, containerCount: Object.keys(n.Containers ?? {}).length };
  }

  private async inspectNetwork(name: string): Promise<NetworkInspect> {
    try {
      return (await this.docker.getNetwork(name).inspect()) as NetworkInspect;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) {
        const names = await this.docker
          .listNetworks()
          .then((l) => l.map((n) => n.Name).sort())
          .catch(() => [] as string[]);
        throw new DiscoveryError(
          'unknown-network',
          `no Docker network named "${name}"`,
          names.length > 0 ? `networks on this engine: ${names.join(', ')}` : 'create the network and start the application first',
        );
      }
      throw dockerError(e, this.socketPath, `inspecting network ${name}`);
    }
  }

  /** Every thread of every running container on `network`, with the network's gateway. */
  async discover(network: string): Promise<NetworkDiscovery> {
    const n = await this.inspectNetwork(network);
    const summary = this.summary(n);
    if (summary.gateway === null) {
      throw new DiscoveryError('docker-api', `network "${network}" has no IPv4 subnet`, 'MiSeRTrace follows IPv4 traffic: use a network with an IPv4 subnet');
    }
    const ids = Object.keys(n.Containers ?? {});
    if (ids.length === 0) {
      throw new DiscoveryError('no-containers', `network "${network}" has no running containers`, 'start the application first (e.g. `npm run demo`)');
    }
    let procs;
    try {
      procs = await this.proc.listProcesses();
    } catch (e) {
      throw new DiscoveryError('proc-unreadable', `cannot read ${this.procRoot}: ${(e as Error).message}`);
    }
    // Our own namespace stands for the host's: a container sharing it (--pid=host) owns only its descendants.
    const hostNs = await this.proc.pidNamespace('self');
    let nsOf: Map<number, string> | null = null;
    const containers: DiscoveredContainer[] = [];
    const skipped: { name: string; state: string }[] = [];
    for (const id of ids) {
      const info = await this.inspectContainer(id);
      const name = info.Name.replace(/^\//, '');
      const state = info.State.Status;
      if (!info.State.Running || info.State.Pid <= 0) {
        skipped.push({ name, state });
        continue;
      }
      const ip = info.NetworkSettings.Networks[network]?.IPAddress ?? '';
      if (!isIPv4(ip)) {
        skipped.push({ name, state: 'no IPv4 address on the network' });
        continue;
      }
      const root = info.State.Pid;
      const pids = new Set(descendants(procs, root));
      const ns = await this.proc.pidNamespace(root);
      if (ns !== null && ns !== hostNs) {
        nsOf ??= await this.proc.pidNamespaces(procs);
        for (const [pid, pns] of nsOf) if (pns === ns) pids.add(pid);
      }
      const processes: DiscoveredProcess[] = [];
      for (const pid of [...pids].sort((a, b) => a - b)) {
        const threads = await this.proc.tasksOf(pid);
        if (threads.length > 0) processes.push({ pid, comm: procs.get(pid)?.comm ?? '', threads });
      }
      // The root process vanished, or Docker says the container stopped: the thread list is not
      // the container's any more. Say so instead of tracing half an application.
      const again = await this.inspectContainer(id).catch(() => null);
      if (!processes.some((p) => p.pid === root) || again === null || !again.State.Running || again.State.Pid !== root) {
        throw new DiscoveryError(
          'container-stopped',
          `container ${name} stopped while its threads were being discovered`,
          'start it again (or wait until the application is stable) and run discovery again',
        );
      }
      containers.push({
        id: info.Id,
        name,
        image: info.Config.Image,
        state,
        ip,
        rootPid: root,
        processes,
        threadCount: processes.reduce((s, p) => s + p.threads.length, 0),
      });
    }
    if (containers.length === 0) {
      throw new DiscoveryError(
        'no-containers',
        `network "${network}" has no running containers (${skipped.map((s) => `${s.name}: ${s.state}`).join(', ')})`,
        'start the application first',
      );
    }
    containers.sort((a, b) => a.name.localeCompare(b.name));
    const meta: MetaEntry[] = [];
    const comms = new Map<number, string>();
    for (const c of containers) {
      for (const p of c.processes) {
        for (const t of p.threads) {
          meta.push({ tid: t.tid, container: c.name, ip: c.ip, containerId: c.id });
          comms.set(t.tid, t.comm);
        }
      }
    }
    return { network: summary, gateway: summary.gateway, containers, skipped, meta, comms, discoveredAt: new Date().toISOString() };
  }

  private async inspectContainer(id: string): Promise<Docker.ContainerInspectInfo> {
    try {
      return await this.docker.getContainer(id).inspect();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) {
        throw new DiscoveryError('container-stopped', `container ${id.slice(0, 12)} was removed while the network was being discovered`, 'run discovery again');
      }
      throw dockerError(e, this.socketPath, `inspecting container ${id.slice(0, 12)}`);
    }
  }
}

export async function writeMetaFile(path: string, meta: readonly MetaEntry[]): Promise<void> {
  try {
    await writeFile(path, formatMeta(meta));
  } catch (e) {
    throw fileError(e, path);
  }
}
