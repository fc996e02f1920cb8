import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readlinkSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_LABEL, removeStaleDemoResources } from './demo-app/demo-app.js';
import { importImage } from './demo-app/demo-images.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';

// Stale demo resources: removed only when their creator is provably gone (our pid namespace, a
// dead pid); a live creator's, another namespace's, or an unlabelled resource is left alone.

const env = await captureEnvironment();
announceSkip('demo cleanup', env.dockerSkipReason);

describe.skipIf(env.dockerSkipReason !== null)('removing what dead demo runs left behind', () => {
  const docker = new Docker();
  const ns = readlinkSync('/proc/self/ns/pid');
  const run = `cleanup${process.pid}`;
  const deadPid = 2 ** 22 + 11; // above pid_max: never a live process
  const owners = { dead: `${ns}/${deadPid}`, alive: `${ns}/${process.pid}`, elsewhere: `pid:[1]/${deadPid}` };
  const names = Object.keys(owners).map((k) => `mtdemo-${run}-${k}`);

  afterAll(async () => {
    for (const n of names) {
      await docker.getNetwork(n).remove().catch(() => undefined);
      await docker.getImage(`${n}:t`).remove({ force: true }).catch(() => undefined);
    }
  });

  it('removes the dead owner\'s network and image, keeps the others', async () => {
    for (const [k, owner] of Object.entries(owners)) {
      const labels = { [DEMO_LABEL]: run, [`${DEMO_LABEL}.owner`]: owner };
      await docker.createNetwork({ Name: `mtdemo-${run}-${k}`, Labels: labels });
      await importImage(docker, [{ type: 'file', path: '/x', content: k }], `mtdemo-${run}-${k}`, 't', labels);
    }
    const removed = await removeStaleDemoResources(docker);
    expect(removed.filter((r) => r.includes(run)).sort()).toEqual([`image mtdemo-${run}-dead:t`, `network mtdemo-${run}-dead`]);
    const nets = (await docker.listNetworks()).map((n) => n.Name);
    expect(nets).toContain(`mtdemo-${run}-alive`);
    expect(nets).toContain(`mtdemo-${run}-elsewhere`);
    expect(nets).not.toContain(`mtdemo-${run}-dead`);
  });
});

describe.skipIf(env.dockerSkipReason !== null)('npm run demo', () => {
  const docker = new Docker();
  let child: ChildProcess | null = null;

  afterAll(async () => {
    // On failure: stop it, then its remains belong to a dead pid and are removed as stale.
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await removeStaleDemoResources(docker);
  });

  it('stays up until Ctrl-C (SIGINT), then removes its containers, network and images', async () => {
    // What `npm run demo` runs (package.json).
    child = spawn(process.execPath, ['--import', 'tsx', 'e2e/demo-app/run-demo.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = once(child, 'exit');
    await expect.poll(() => err, { timeout: 90_000, interval: 200 }).toContain('press Ctrl-C to remove the demo app');
    const network = /network: (\S+)/.exec(out)![1]!;
    const run = /^mtdemo-(.+)-net$/.exec(network)![1]!;
    // Still running a while later: nothing may let it exit by itself and strand the containers.
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBe(null);
    const mine = async () => (await docker.listContainers({ all: true, filters: { label: [`${DEMO_LABEL}=${run}`] } })).length;
    expect(await mine()).toBe(4);
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(err).toContain('demo app removed');
    expect(await mine()).toBe(0);
    expect((await docker.listNetworks()).map((n) => n.Name)).not.toContain(network);
    expect((await docker.listImages({ filters: { label: [`${DEMO_LABEL}=${run}`] } })).length).toBe(0);
  }, 150_000);
});
