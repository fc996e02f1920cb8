import { DEFAULT_TRACEFS, type KernelFeatures } from '../probes/kernel-features.js';
import { RemoteError } from './remote-errors.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';

// What a remote host offers for tracing (the same KernelFeatures as kernel-features.ts reads
// locally), in one command over the connection: kernel release, CPUs, uid, tracefs mount and
// whether its events are readable, the tracepoint list (as root, or through `sudo -n` when that
// needs no password), BTF, kprobes, bpftrace and its version, sudo. pkexec is never used
// remotely: it needs a polkit agent on the host's own desktop.

export const REMOTE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const FEATURES_SCRIPT = `PATH=${REMOTE_PATH}
echo "== uname"; uname -r
echo "== hostname"; uname -n
echo "== cpus"; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc
echo "== uid"; id -u
echo "== tracefs"
for t in ${DEFAULT_TRACEFS.join(' ')}; do
  if grep -q " $t tracefs " /proc/mounts; then
    if ls "$t/events" >/dev/null 2>&1; then echo "$t readable"; else echo "$t mounted"; fi
    break
  fi
done
echo "== btf"; test -e /sys/kernel/btf/vmlinux && echo yes
echo "== kprobe"; test -e /sys/bus/event_source/devices/kprobe && echo yes
echo "== bpftrace"; p=$(command -v bpftrace) && { echo "$p"; "$p" --version 2>&1 | head -n 1; }
echo "== trace-cmd"; command -v trace-cmd
echo "== sudo"; command -v sudo
echo "== sudo-n"; command -v sudo >/dev/null && sudo -n true 2>/dev/null && echo yes
echo "== events"
t=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -n "$t" ]; then
  if [ "$(id -u)" = 0 ]; then cat "$t/available_events"; elif sudo -n true 2>/dev/null; then sudo -n cat "$t/available_events"; fi
fi 2>/dev/null
exit 0`;

export interface RemoteFeatures extends KernelFeatures {
  /** `sudo -n` works without a password. */
  sudoNoPassword: boolean;
  hostname: string;
}

function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^== (\S+)$/.exec(line);
    if (m) out.set(m[1]!, (cur = []));
    else if (line !== '') cur.push(line);
  }
  return out;
}

export function parseRemoteFeatures(text: string): RemoteFeatures {
  const s = sections(text);
  const first = (k: string) => s.get(k)?.[0] ?? null;
  const tfs = first('tracefs')?.split(' ') ?? null;
  const events = s.get('events') ?? [];
  const bt = s.get('bpftrace') ?? [];
  return {
    kernelRelease: first('uname') ?? 'unknown',
    tracefs: tfs ? { path: tfs[0]!, mounted: true, readable: tfs[1] === 'readable' } : { path: null, mounted: false, readable: false },
    tracepoints: events.length > 0 ? new Set(events.filter((l) => l.includes(':'))) : null,
    kprobes: first('kprobe') === 'yes' ? true : null,
    btf: first('btf') === 'yes',
    bpftrace: bt[0] ? { path: bt[0], version: /bpftrace\s+v?(\S+)/.exec(bt[1] ?? '')?.[1] ?? null } : null,
    traceCmd: first('trace-cmd') ? { path: first('trace-cmd')!, version: null } : null,
    uid: Number(first('uid') ?? -1),
    sudo: first('sudo'),
    pkexec: null,
    cpus: Number(first('cpus') ?? 1) || 1,
    sudoNoPassword: first('sudo-n') === 'yes',
    hostname: first('hostname') ?? 'unknown',
  };
}

export async function detectRemoteFeatures(host: RemoteHost): Promise<RemoteFeatures> {
  const r = await host.exec(shCommand(FEATURES_SCRIPT), { timeoutMs: 60_000 });
  if (r.code !== 0) throw new RemoteError('remote-command', `checking the kernel of ${host.label} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return parseRemoteFeatures(r.stdout.toString('utf8'));
}
