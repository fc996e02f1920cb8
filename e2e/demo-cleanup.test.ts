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
