import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { busyboxRootfs, findBusybox, importImage, nodeRootfs } from './demo-images.js';
import { DEMO_LABEL, ownerTag } from './demo-resources.js';
import { POSTGRES_CMD, postgresRootfs } from './postgres-image.js';
import { httpGet } from './load-generator.js';
import { nginxRootfs, pythonRootfs, REDIS_CMD, redisRootfs } from './third-party-images.js';

// The demo microservice app on the local Docker engine: four services on one user network,
// images built locally, the frontend published on 127.0.0.1 only. With `thirdParty`, servers from
// Debian packages join them (third-party-images.ts, postgres-image.ts): nginx as a proxy in front
// of the inventory and redis behind it (/cart), PostgreSQL behind the inventory (/order), a Python
// thread-pool server behind the frontend (/price). Every
// resource is named `mtdemo-<run id>-…` and labelled, and `down()` removes all of it (also after a
// failed `up()`).

export { DEMO_LABEL, removeStaleDemoResources } from './demo-resources.js';

export type Role = 'frontend' | 'catalog' | 'inventory' | 'kvstore' | 'proxy' | 'redis' | 'db' | 'pricing';
export const ROLES: readonly Role[] = ['kvstore', 'inventory', 'catalog', 'frontend', 'proxy', 'redis', 'db', 'pricing'];

export interface DemoContainer {
  role: Role;
  name: string;
  id: string;
  ip: string;
}

export interface DemoAppOptions {
  docker?: Docker;
  /** Progress lines (image build, containers started). */
  log?: (line: string) => void;
  /** Images built earlier (DemoImages): reused, and left for their owner to remove. */
  images?: DemoImages;
  /** Also run the third-party servers (nginx, redis) and their endpoints (endpoints.ts). */
  thirdParty?: boolean;
}

/** The two demo images, for runs that start fresh containers many times (the benchmark). */
export class DemoImages {
  private constructor(
    private readonly docker: Docker,
    readonly runId: string,
    readonly node: string,
    readonly busybox: string,
  ) {}

  static async build(docker = new Docker()): Promise<DemoImages> {
    const runId = randomBytes(3).toString('hex');
    const imgs = new DemoImages(docker, runId, `mtdemo-node:${runId}`, `mtdemo-busybox:${runId}`);
    const labels = { [DEMO_LABEL]: runId, [`${DEMO_LABEL}.owner`]: ownerTag() };
    try {
      await Promise.all([
        nodeRootfs().then((e) => importImage(docker, e, 'mtdemo-node', runId, labels)),
        importImage(docker, busyboxRootfs(findBusybox()), 'mtdemo-busybox', runId, labels),
      ]);
    } catch (e) {
      await imgs.remove().catch(() => undefined);
      throw e;
    }
    return imgs;
  }

  async remove(): Promise<void> {
    for (const image of [this.node, this.busybox]) {
      await this.docker
        .getImage(image)
        .remove({ force: true })
        .catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 404) throw e;
        });
    }
  }
}

export class DemoApp {
  readonly runId = randomBytes(3).toString('hex');
  readonly prefix = `mtdemo-${this.runId}`;
  readonly network = `${this.prefix}-net`;
  readonly nodeImage: string;
  readonly busyboxImage: string;
  private readonly ownImages: boolean;
  readonly containers = new Map<Role, DemoContainer>();
  private readonly docker: Docker;
  private readonly log: (line: string) => void;
  readonly thirdParty: boolean;
  private readonly created = { images: [] as string[], network: false, containers: [] as string[] };
  gateway = '';
  /** Base URL of the frontend on 127.0.0.1. */
  url = '';

  constructor(opts: DemoAppOptions = {}) {
    this.docker = opts.docker ?? new Docker();
    this.log = opts.log ?? (() => undefined);
    this.ownImages = opts.images === undefined;
    this.thirdParty = opts.thirdParty === true;
    this.nodeImage = opts.images?.node ?? `mtdemo-node:${this.runId}`;
    this.busyboxImage = opts.images?.busybox ?? `mtdemo-busybox:${this.runId}`;
  }

  containerName(role: Role): string {
    return `${this.prefix}-${role}`;
  }

  /** The role of a container name of this run, or null. */
  roleOf(containerName: string): Role | null {
    const r = containerName.replace(/^\//, '').slice(this.prefix.length + 1);
    return containerName.replace(/^\//, '').startsWith(`${this.prefix}-`) && (ROLES as readonly string[]).includes(r) ? (r as Role) : null;
  }

  async up(): Promise<void> {
    try {
      await this.docker.ping();
      const t0 = Date.now();
      const labels = { [DEMO_LABEL]: this.runId, [`${DEMO_LABEL}.owner`]: ownerTag() };
      if (this.ownImages) {
        this.created.images.push(this.nodeImage, this.busyboxImage);
        await Promise.all([
          nodeRootfs().then((e) => importImage(this.docker, e, 'mtdemo-node', this.runId, labels)),
          importImage(this.docker, busyboxRootfs(findBusybox()), 'mtdemo-busybox', this.runId, labels),
        ]);
        this.log(`images ${this.nodeImage}, ${this.busyboxImage} imported in ${Date.now() - t0} ms`);
      }
      const net = await this.docker.createNetwork({ Name: this.network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
      this.created.network = true;
      const ninfo = await net.inspect();
      this.gateway = ninfo.IPAM?.Config?.[0]?.Gateway ?? '';
      const third = this.thirdParty ? await this.importThirdParty(labels) : null;
      const kv = await this.start('kvstore', this.nodeImage, ['/usr/bin/node', '/app/kvstore.mjs'], { PORT: '7000' }, labels);
      const redis = third ? await this.start('redis', third.redis, REDIS_CMD, {}, labels) : null;
      // The postmaster refuses to run as root.
      const db = third ? await this.start('db', third.postgres, POSTGRES_CMD, { TZ: 'UTC' }, labels, false, 'postgres') : null;
      const extra = { ...(redis ? { REDIS: `${redis.ip}:6379` } : {}), ...(db ? { DB: `${db.ip}:5432` } : {}) };
      const inv = await this.start('inventory', this.nodeImage, ['/usr/bin/node', '/app/inventory.mjs'], { PORT: '8080', KVSTORE: `${kv.ip}:7000`, ...extra }, labels);
      // nginx finds the inventory by its network alias when it starts: after the inventory.
      const proxy = third ? await this.start('proxy', third.nginx, ['/usr/sbin/nginx'], {}, labels) : null;
      const pricing = third ? await this.start('pricing', third.python, ['/usr/bin/python3', '-u', '/app/pricing.py'], {}, labels) : null;
      const cat = await this.start(
        'catalog',
        this.busyboxImage,
        ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'],
        { INVENTORY: `${inv.ip}:8080` },
        labels,
      );
      await this.start(
        'frontend',
        this.nodeImage,
        ['/usr/bin/node', '/app/frontend.mjs'],
        { PORT: '8080', CATALOG: `${cat.ip}:8080`, INVENTORY: `${inv.ip}:8080`, ...(proxy ? { PROXY: `${proxy.ip}:8080` } : {}), ...(pricing ? { PRICING: `${pricing.ip}:8080` } : {}) },
        labels,
        true,
      );
      await this.waitHealthy();
      this.log(`demo app up on ${this.url} (network ${this.network}, gateway ${this.gateway})`);
    } catch (e) {
      await this.down().catch((d: unknown) => this.log(`cleanup after failed start: ${String(d)}`));
      throw e;
    }
  }

  /** The third-party images of this run (always this run's own: DemoImages does not build them). */
  private async importThirdParty(labels: Record<string, string>): Promise<{ nginx: string; redis: string; postgres: string; python: string }> {
    const t0 = Date.now();
    const tags = { nginx: `mtdemo-nginx:${this.runId}`, redis: `mtdemo-redis:${this.runId}`, postgres: `mtdemo-postgres:${this.runId}`, python: `mtdemo-python:${this.runId}` };
    this.created.images.push(...Object.values(tags));
    await importImage(this.docker, await nginxRootfs(), 'mtdemo-nginx', this.runId, labels);
    await importImage(this.docker, await redisRootfs(), 'mtdemo-redis', this.runId, labels);
    await importImage(this.docker, await postgresRootfs(), 'mtdemo-postgres', this.runId, labels);
    await importImage(this.docker, await pythonRootfs(), 'mtdemo-python', this.runId, labels);
    this.log(`images ${Object.values(tags).join(', ')} imported in ${Date.now() - t0} ms`);
    return tags;
  }

  private async start(
    role: Role,
    image: string,
    cmd: string[],
    env: Record<string, string>,
    labels: Record<string, string>,
    publish = false,
    user?: string,
  ): Promise<DemoContainer> {
    const name = this.containerName(role);
    const c = await this.docker.createContainer({
      name,
      Image: image,
      Cmd: cmd,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: labels,
      ...(user ? { User: user } : {}),
      ExposedPorts: publish ? { '8080/tcp': {} } : {},
      // Peers may find each other by role (nginx's upstream does).
      NetworkingConfig: { EndpointsConfig: { [this.network]: { Aliases: [role] } } },
      HostConfig: {
        NetworkMode: this.network,
        // Only 127.0.0.1: the load comes from this host, nothing else can reach the app.
        PortBindings: publish ? { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } : {},
        Init: false,
      },
    });
    this.created.containers.push(name);
    await c.start();
    const info = await c.inspect();
    const ip = info.NetworkSettings.Networks[this.network]?.IPAddress ?? '';
    if (ip === '') throw new Error(`container ${name} has no IP on ${this.network}`);
    if (publish) {
      const port = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
      if (!port) throw new Error(`container ${name}: port 8080 was not published`);
      this.url = `http://127.0.0.1:${port}`;
    }
    const dc = { role, name, id: info.Id, ip };
    this.containers.set(role, dc);
    return dc;
  }

  /** Waits until every path answers: /health, then one request through each service. */
  private async waitHealthy(timeoutMs = 40_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const r = await httpGet(`${this.url}/health`);
        if (r.status === 200) break;
        last = `HTTP ${r.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`demo frontend not healthy after ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Warm-up (not traced): opens the inventory->kvstore connection and the keep-alive pool.
    for (const path of ['/checkout?item=1', '/stock?id=1', ...(this.thirdParty ? ['/cart?id=1', '/order?id=1', '/price?id=1'] : [])]) {
      // PostgreSQL makes its cluster when it starts: its first answer may take a few seconds.
      for (let r = await httpGet(`${this.url}${path}`); r.status !== 200; r = await httpGet(`${this.url}${path}`)) {
        if (Date.now() > deadline) throw new Error(`demo warm-up ${path}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    // The whole /checkout path answered: catalog's CGI reached inventory, inventory the kvstore.
    const body = JSON.parse((await httpGet(`${this.url}/checkout?item=2`)).body) as { item?: { inventory?: { stock?: unknown } }; reservation?: { left?: unknown } };
    if (typeof body.item?.inventory?.stock !== 'number' || typeof body.reservation?.left !== 'number') {
      throw new Error(`demo warm-up /checkout gave an incomplete answer: ${JSON.stringify(body)}`);
    }
  }

  /** Removes every container, the network and the images this run created. Safe to call twice. */
  async down(): Promise<void> {
    const errors: string[] = [];
    for (const name of this.created.containers.splice(0).reverse()) {
      await this.docker
        .getContainer(name)
        .remove({ force: true, v: true })
        .catch((e: { statusCode?: number }) => e.statusCode !== 404 && errors.push(`container ${name}: ${String(e)}`));
    }
    if (this.created.network) {
      this.created.network = false;
      await this.docker
        .getNetwork(this.network)
        .remove()
        .catch((e: { statusCode?: number }) => e.statusCode !== 404 && errors.push(`network ${this.network}: ${String(e)}`));
    }
    for (const image of this.created.images.splice(0)) {
      await this.docker
        .getImage(image)
        .remove({ force: true })
        .catch((e: { statusCode?: number }) => e.statusCode !== 404 && errors.push(`image ${image}: ${String(e)}`));
    }
    this.containers.clear();
    if (errors.length > 0) throw new Error(`demo cleanup left resources behind:\n  ${errors.join('\n  ')}`);
  }
}
