import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostTidsOf } from '../../e2e/accuracy/host-tids.js';

// Namespaced tids to host tids through NSpid, on a real pid namespace (unshare, as root).

const root = process.getuid?.() === 0;
if (!root) console.warn('[skip] host tids: needs root to make a pid namespace (unshare -p)');

describe.skipIf(!root)('hostTidsOf', () => {
  it('maps every thread of a pid namespace, its first process being 1 inside', async () => {
    const child = spawn('unshare', ['--pid', '--fork', '--kill-child', 'sleep', '30'], { stdio: 'ignore' });
    let inner = 0;
    try {
      // unshare forks the namespace's first process: find it among unshare's children.
      for (let i = 0; i < 50 && inner === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        try {
          inner = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0] ?? 0);
        } catch {
          inner = 0;
        }
      }
      expect(inner).toBeGreaterThan(0);
      const map = hostTidsOf(inner);
      expect(map.get(1)).toBe(inner);
      expect(map.size).toBe(1);
    } finally {
      // The namespace's first process dies with its namespace: kill it, then unshare.
      if (inner > 0) process.kill(inner, 'SIGKILL');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
