import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMeta } from '../engine/model/meta.js';
import { DiscoveryService, writeMetaFile } from '../capture/discovery/network-discovery.js';
import { DEMO_LABEL, DemoImages } from './demo-app/demo-app.js';
import { descendants, listProcesses, tasksOf } from '../capture/discovery/proc-tasks.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';

// Discovery against the real Docker engine and /proc: every thread of every process of every
// container, `docker exec` processes included; a container that stops while being discovered.

const env = await captureEnvironment();
const skip = env.dockerSkipReason ?? (env.root ? null : 'not root (reading other users\' /proc entries needs root)');
announceSkip('discovery', skip);

describe.skipIf(skip !== null)('discovery on a real Docker network', () => {
  const docker = new Docker();
  const run = `mtdemo-disc${process.pid}`;
  let images: DemoImages;
  const created: string[] = [];
  let dir: string;

  async function container(name: string, image: string, cmd: string[]): Promise<Docker.Container> {
    const c = await docker.createContainer({ name: `${run}-${name}`, Image: image, Cmd: cmd, Labels: { [DEMO_LABEL]: run }, HostConfig: { NetworkMode: `${run}-net` } });
    created.push(c.id);
    await c.start();
    return c;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'misertrace-disc-'));
    images = await DemoImages.build(docker);
    await docker.createNetwork({ Name: `${run}-net`, Labels: { [DEMO_LABEL]: run } });
    await docker.createNetwork({ Name: `${run}-empty`, Labels: { [DEMO_LABEL]: run } });
    await container('node', images.node, ['/usr/bin/node', '-e', 'setInterval(() => {}, 1000)']);
    const bb = await container('busybox', images.busybox, ['/bin/busybox', 'sh', '-c', 'sleep 1000 & sleep 1000']);
    // A process started with `docker exec` is not a descendant of the container's root process.
    const ex = await bb.exec({ Cmd: ['/bin/busybox', 'sleep', '999'] });
    await ex.start({ Detach: true });
    await new Promise((r) => setTimeout(r, 500));
  }, 120_000);

  afterAll(async () => {
    for (const id of created) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    for (const n of [`${run}-net`, `${run}-empty`]) await docker.getNetwork(n).remove().catch(() => undefined);
    await images?.remove();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('lists the network with its gateway', async () => {
    const nets = await new DiscoveryService().listNetworks();
    const mine = nets.find((n) => n.name === `${run}-net`)!;
    expect(mine.driver).toBe('bridge');
    expect(mine.gateway).toMatch(/^\d+\.\d+\.\d+\.1$/);
    expect(mine.containerCount).toBe(2);
  });

  it('finds every thread of every process of each container, and writes the meta file', async () => {
    const d = await new DiscoveryService().discover(`${run}-net`);
    expect(d.containers.map((c) => c.name)).toEqual([`${run}-busybox`, `${run}-node`]);
    const [bb, node] = d.containers as [(typeof d.containers)[0], (typeof d.containers)[0]];
    expect(bb.image).toBe(images.busybox);
    expect(bb.state).toBe('running');
    // The root process, its background sleep, and the `docker exec` one, which is not below the root.
    expect(bb.processes).toHaveLength(3);
    expect(bb.processes.map((p) => p.pid)).toContain(bb.rootPid);
    const below = descendants(await listProcesses(), bb.rootPid);
    expect(below).toHaveLength(2);
    expect(bb.processes.filter((p) => !below.includes(p.pid)).map((p) => p.comm)).toEqual(['busybox']);
    // Node: one process, every one of its threads (main, V8 platform, libuv).
    expect(node.processes).toHaveLength(1);
    const real = await tasksOf(node.rootPid);
    expect(node.processes[0]!.threads.map((t) => t.tid)).toEqual(real.map((t) => t.tid));
    expect(real.length).toBeGreaterThan(4);
    expect(d.meta).toHaveLength(bb.threadCount + node.threadCount);
    for (const m of d.meta) {
      const c = d.containers.find((x) => x.name === m.container)!;
      expect(m.ip).toBe(c.ip);
      expect(m.containerId).toBe(c.id);
    }
    const path = join(dir, 'meta.psv');
    await writeMetaFile(path, d.meta);
    expect(parseMeta(readFileSync(path, 'utf8'))).toEqual(d.meta);
    expect(d.gateway).toBe((await new DiscoveryService().listNetworks()).find((n) => n.name === `${run}-net`)!.gateway);
  });

  it('a network without running containers is an error that says what to do', async () => {
    await expect(new DiscoveryService().discover(`${run}-empty`)).rejects.toMatchObject({ code: 'no-containers', hint: expect.stringMatching(/start the application/) });
  });

  it('a container that stops while being discovered is named', async () => {
    const victim = await container('victim', images.busybox, ['/bin/busybox', 'sleep', '1000']);
    const name = `${run}-victim`;
    let stopped = false;
    // The real engine, with one real `docker stop` slipped in right after Docker said it runs.
    const hooked = new Proxy(docker, {
      get(target, prop, receiver) {
        if (prop !== 'getContainer') return Reflect.get(target, prop, receiver) as unknown;
        return (id: string) => {
          const c = target.getContainer(id);
          return new Proxy(c, {
            get(ct, cp) {
              if (cp !== 'inspect') return (Reflect.get(ct, cp) as (...a: unknown[]) => unknown).bind(ct);
              return async () => {
                const info = await ct.inspect();
                if (!stopped && info.Name === `/${name}`) {
                  stopped = true;
                  await victim.stop({ t: 0 });
                }
                return info;
              };
            },
          });
        };
      },
    });
    await expect(new DiscoveryService({ docker: hooked }).discover(`${run}-net`)).rejects.toMatchObject({
      code: 'container-stopped',
      message: `container ${name} stopped while its threads were being discovered`,
    });
    expect(stopped).toBe(true);
  });
});
