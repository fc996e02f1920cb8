import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

// Processes and threads from /proc: the process tree (ppid), pid namespaces, and each process's
// tasks (threads). Processes come and go while we read: a vanished entry is skipped, never fatal.

export interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
}

function isGone(e: unknown): boolean {
  const c = (e as NodeJS.ErrnoException).code;
  return c === 'ENOENT' || c === 'ESRCH';
}

/** /proc/PID/stat: "pid (comm) state ppid ..." — comm may hold spaces and parentheses. */
export function parseStat(text: string): { comm: string; ppid: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) ? { comm: text.slice(open + 1, close), ppid } : null;
}

export async function listProcesses(procRoot = '/proc'): Promise<Map<number, ProcEntry>> {
  const out = new Map<number, ProcEntry>();
  for (const name of await readdir(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = parseStat(await readFile(join(procRoot, name, 'stat'), 'utf8'));
      if (st) out.set(Number(name), { pid: Number(name), ppid: st.ppid, comm: st.comm });
    } catch (e) {
      if (!isGone(e)) throw e;
    }
  }
  return out;
}

/** `root` and every process below it. */
export function descendants(procs: ReadonlyMap<number, ProcEntry>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs.values()) {
    let l = children.get(p.ppid);
    if (!l) children.set(p.ppid, (l = []));
    l.push(p.pid);
  }
  const out: number[] = [];
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid) || !procs.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The pid namespace of a process (`pid:[4026532…]`), or null when it is gone or we may not look
 * (reading another user's namespace links needs ptrace rights).
 */
export async function pidNamespace(pid: number | 'self', procRoot = '/proc'): Promise<string | null> {
  try {
    return await readlink(join(procRoot, String(pid), 'ns', 'pid'));
  } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    if (isGone(e) || c === 'EACCES' || c === 'EPERM') return null;
    throw e;
  }
}

/** The pid namespace of every listed process (those gone meanwhile are left out). */
export async function pidNamespaces(procs: ReadonlyMap<number, ProcEntry>, procRoot = '/proc'): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const p of procs.keys()) {
    const ns = await pidNamespace(p, procRoot);
    if (ns !== null) out.set(p, ns);
  }
  return out;
}

export interface TaskInfo {
  tid: number;
  comm: string;
}

/** The threads of a process; empty when the process is gone. */
export async function tasksOf(pid: number, procRoot = '/proc'): Promise<TaskInfo[]> {
  let names: string[];
  try {
    names = await readdir(join(procRoot, String(pid), 'task'));
  } catch (e) {
    if (isGone(e)) return [];
    throw e;
  }
  const out: TaskInfo[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const comm = (await readFile(join(procRoot, String(pid), 'task', n, 'comm'), 'utf8')).replace(/\n$/, '');
      out.push({ tid: Number(n), comm });
    } catch (e) {
      if (!isGone(e)) throw e;
    }
  }
  return out.sort((a, b) => a.tid - b.tid);
}

/** Where discovery reads processes from: this machine's /proc, or a remote host's (capture/remote). */
export interface ProcSource {
  listProcesses(): Promise<Map<number, ProcEntry>>;
  pidNamespace(pid: number | 'self'): Promise<string | null>;
  pidNamespaces(procs: ReadonlyMap<number, ProcEntry>): Promise<Map<number, string>>;
  tasksOf(pid: number): Promise<TaskInfo[]>;
}

export function localProc(procRoot = '/proc'): ProcSource {
  return {
    listProcesses: () => listProcesses(procRoot),
    pidNamespace: (pid) => pidNamespace(pid, procRoot),
    pidNamespaces: (procs) => pidNamespaces(procs, procRoot),
    tasksOf: (pid) => tasksOf(pid, procRoot),
  };
}
