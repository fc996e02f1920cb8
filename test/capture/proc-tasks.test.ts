import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, listProcesses, parseStat, pidNamespace, tasksOf } from '../../capture/discovery/proc-tasks.js';

// /proc as it is: a real process tree and real threads.

describe('processes and threads from /proc', () => {
  let tree: ChildProcess;
  let grandchild = 0;

  beforeAll(async () => {
    // sh -> sleep (a child) and a node process with worker threads (a second child).
    tree = spawn('/bin/sh', ['-c', `sleep 30 & ${process.execPath} -e "new (require('worker_threads').Worker)('setInterval(()=>{},1000)', {eval: true}); setInterval(()=>{},1000)" & echo started; wait`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    await new Promise<void>((r) => tree.stdout!.once('data', () => r()));
    await new Promise((r) => setTimeout(r, 300));
    const procs = await listProcesses();
    grandchild = [...procs.values()].find((p) => p.ppid === tree.pid && p.comm === 'node')?.pid ?? 0;
  });

  afterAll(() => {
    // The whole process group: the shell and everything it started (they would outlive it).
    try {
      process.kill(-tree.pid!, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  });

  it('parses stat lines whose comm holds spaces and parentheses', () => {
    expect(parseStat('123 (my (odd) name) S 45 123 123 0 -1')).toEqual({ comm: 'my (odd) name', ppid: 45 });
    expect(parseStat('garbage')).toBeNull();
  });

  it('finds every descendant of a root process', async () => {
    const procs = await listProcesses();
    const d = descendants(procs, tree.pid!);
    expect(d[0]).toBe(tree.pid);
    expect(d).toContain(grandchild);
    expect(d.map((p) => procs.get(p)!.comm).sort()).toEqual(['node', 'sh', 'sleep']);
  });

  it('lists the threads of a process with their names; a process that is gone has none', async () => {
    const threads = await tasksOf(grandchild);
    expect(threads.length).toBeGreaterThan(3);
    expect(threads[0]!.tid).toBe(grandchild);
    expect(threads.map((t) => t.comm)).toContain('node');
    expect(await tasksOf(2 ** 22 + 7)).toEqual([]);
    expect(await pidNamespace('self')).toMatch(/^pid:\[\d+\]$/);
  });
});
