import { parseStat, type ProcEntry, type ProcSource, type TaskInfo } from '../discovery/proc-tasks.js';
import { RemoteError } from './remote-errors.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';

// A remote host's /proc for discovery, read in ONE command over the connection: every process's
// stat line, every thread's comm, and the pid namespace links (`ls -l` reads them all in one
// program; another user's links stay unreadable without privileges, as locally). A read per file
// over SFTP would be thousands of round trips. Processes that vanish meanwhile are skipped.

export const SNAPSHOT = `cd /proc || exit 1
echo "S $$"
for p in [0-9]*; do
  read -r s < "$p/stat" || continue
  echo "P $s"
  for t in "$p"/task/[0-9]*; do
    read -r c < "$t/comm" && echo "T $p \${t##*/} $c"
  done
done 2>/dev/null
ls -l [0-9]*/ns/pid 2>/dev/null
exit 0`;

export interface ProcSnapshot {
  procs: Map<number, ProcEntry>;
  tasks: Map<number, TaskInfo[]>;
  ns: Map<number, string>;
  self: number;
}

export function parseSnapshot(text: string): ProcSnapshot {
  const procs = new Map<number, ProcEntry>();
  const tasks = new Map<number, TaskInfo[]>();
  const ns = new Map<number, string>();
  let self = -1;
  for (const line of text.split('\n')) {
    if (line.startsWith('P ')) {
      const s = line.slice(2);
      const st = parseStat(s);
      const pid = Number(s.slice(0, s.indexOf(' ')));
      if (st && Number.isInteger(pid)) procs.set(pid, { pid, ppid: st.ppid, comm: st.comm });
    } else if (line.startsWith('T ')) {
      const m = /^T (\d+) (\d+) (.*)$/.exec(line);
      if (!m) continue;
      const pid = Number(m[1]);
      const l = tasks.get(pid) ?? [];
      l.push({ tid: Number(m[2]), comm: m[3]! });
      tasks.set(pid, l);
    } else if (line.startsWith('S ')) self = Number(line.slice(2));
    else {
      const m = /\s(\d+)\/ns\/pid -> (pid:\[\d+\])$/.exec(line);
      if (m) ns.set(Number(m[1]), m[2]!);
    }
  }
  for (const l of tasks.values()) l.sort((a, b) => a.tid - b.tid);
  return { procs, tasks, ns, self };
}

/** The host's processes as one snapshot, taken at listProcesses() (discovery calls it first). */
export function remoteProc(host: RemoteHost): ProcSource {
  let snap: ProcSnapshot | null = null;
  const take = async (): Promise<ProcSnapshot> => {
    const r = await host.exec(shCommand(SNAPSHOT), { timeoutMs: 60_000 });
    if (r.code !== 0) throw new RemoteError('remote-command', `reading /proc on ${host.label} failed (exit ${r.code}): ${r.stderr.trim()}`);
    snap = parseSnapshot(r.stdout.toString('utf8'));
    return snap;
  };
  const current = async () => snap ?? take();
  return {
    listProcesses: async () => (await take()).procs,
    pidNamespace: async (pid) => {
      const s = await current();
      return s.ns.get(pid === 'self' ? s.self : pid) ?? null;
    },
    pidNamespaces: async (procs) => {
      const s = await current();
      return new Map([...s.ns].filter(([p]) => procs.has(p)));
    },
    tasksOf: async (pid) => (await current()).tasks.get(pid) ?? [],
  };
}
