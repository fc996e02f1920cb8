import { describe, expect, it } from 'vitest';
import type { ElevationPlan } from '../../capture/session/elevation.js';
import { PtyChild } from '../../capture/session/pty-child.js';

// The capture child's terminal, with real processes in a real pty.

const direct = (script: string): ElevationPlan => ({ method: 'direct', file: '/bin/sh', args: ['-c', script], env: { MT_TEST_VAR: 'from-plan' }, prompt: null });

async function lineMatching(child: PtyChild, re: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const sub = child.onLine.on((l) => {
      if (re.test(l)) {
        sub.dispose();
        resolve(l);
      }
    });
  });
}

describe('capture child in a pty', () => {
  it('passes the environment, reports lines, and stops on ^C like bpftrace does', async () => {
    const child = new PtyChild({ plan: direct('trap "echo got-int; exit 7" INT; echo "ready $MT_TEST_VAR"; while :; do sleep 0.05; done'), cwd: '/tmp' });
    try {
      expect(await lineMatching(child, /^ready/)).toBe('ready from-plan');
      child.interrupt();
      expect(await child.exited).toEqual({ exitCode: 7, signal: null });
      expect(child.transcript()).toContain('got-int');
      expect(child.hasExited).toBe(true);
    } finally {
      child.dispose();
    }
  });

  it('a child that ignores ^C is terminated, and one that ignores everything is killed', async () => {
    const stubborn = new PtyChild({ plan: direct('trap "" INT QUIT TERM; echo ready; while :; do sleep 0.05; done'), cwd: '/tmp' });
    try {
      await lineMatching(stubborn, /^ready/);
      stubborn.interrupt();
      stubborn.terminate();
      const raced = await Promise.race([stubborn.exited, new Promise((r) => setTimeout(() => r('alive'), 300))]);
      expect(raced).toBe('alive');
      stubborn.kill();
      expect((await stubborn.exited).signal).toBe(9);
    } finally {
      stubborn.dispose();
    }
    const polite = new PtyChild({ plan: direct('trap "" INT; echo ready; while :; do sleep 0.05; done'), cwd: '/tmp' });
    try {
      await lineMatching(polite, /^ready/);
      polite.terminate();
      const x = await polite.exited;
      expect(x.signal === 15 || x.signal === 3).toBe(true);
    } finally {
      polite.dispose();
    }
  });

  it('dispose kills a running child', async () => {
    const child = new PtyChild({ plan: direct('echo ready; sleep 30'), cwd: '/tmp' });
    await lineMatching(child, /^ready/);
    child.dispose();
    expect((await child.exited).signal).not.toBeNull();
  });
});
