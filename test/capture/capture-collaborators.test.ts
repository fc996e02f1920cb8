import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryService } from '../../capture/discovery/network-discovery.js';
import { CaptureSession, type CaptureState } from '../../capture/session/capture-session.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';

// The session runs its phases with the collaborators it is given (capture-collaborators.ts): the
// discovery passed in is the one the plan phase uses, once per start, and a failing one ends the
// start before any child or work directory is left behind.

let dir: TempDir;
beforeAll(() => {
  dir = tempDir('misertrace-collab-');
});
afterAll(() => dir.remove());

describe('capture session collaborators', () => {
  it('discovers through the discovery it is given, once per start; its failure ends the start with nothing left', async () => {
    const docker = new DiscoveryService({ socketPath: join(dir.path, 'no-docker.sock') });
    const asked: string[] = [];
    const output = join(dir.path, 'x.mstrace');
    const session = new CaptureSession({ network: 'mt-collab-net', output }, {
      discover: (network) => {
        asked.push(network);
        return docker.discover(network);
      },
    });
    const states: CaptureState[] = [];
    session.onState.on((s) => states.push(s));
    const err = await session.start().catch((e: unknown) => e);
    session.dispose();
    expect(asked).toEqual(['mt-collab-net']);
    expect(err).toMatchObject({ code: 'docker-unreachable' });
    expect(states).toEqual(['preparing', 'failed']);
    expect(session.childPid).toBeNull();
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir.path)).toEqual([]);
  });
});
