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

  it('a cancel while starting returns once start() has ended and its work folder is gone', async () => {
    // The cancel used to remove the work folder while start() still wrote into it (ENOTEMPTY,
    // an unhandled rejection that ended `misertrace capture` with exit 1 instead of 130).
    const docker = new DiscoveryService({ socketPath: join(dir.path, 'no-docker.sock') });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let asked = false;
    const session = new CaptureSession({ network: 'mt-collab-net', output: join(dir.path, 'y.mstrace') }, {
      discover: async (network) => {
        asked = true;
        await gate;
        return docker.discover(network);
      },
    });
    let startEnded = false;
    const started = session.start().then(
      () => null,
      (e: unknown) => e,
    ).finally(() => (startEnded = true));
    for (let i = 0; i < 100 && !asked; i++) await new Promise((r) => setTimeout(r, 10));
    expect(asked).toBe(true);
    expect(readdirSync(dir.path).some((n) => n.startsWith('.y.mstrace'))).toBe(true);
    const cancelled = session.cancel({ keep: false });
    setTimeout(release, 50);
    expect(await cancelled).toBeNull();
    expect(startEnded).toBe(true);
    expect(await started).toBeInstanceOf(Error);
    expect(session.state).toBe('cancelled');
    expect(readdirSync(dir.path)).toEqual([]);
    session.dispose();
  });
});
