import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendants, listProcesses, tasksOf } from '../../capture/discovery/proc-tasks.js';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';
import { FEATURES_SCRIPT, parseRemoteFeatures } from '../../capture/remote/remote-features.js';
import { privilegedCommand } from '../../capture/remote/remote-privilege.js';
import { parseSnapshot, SNAPSHOT } from '../../capture/remote/remote-proc.js';
import { shCommand } from '../../capture/remote/remote-shell.js';
import { parseHostSpec, parseSshG } from '../../capture/remote/ssh-target.js';

// The scripts a remote host runs, run here by /bin/sh exactly as sshd would run them, against
// what this machine's own readers say; and the pieces of a remote command line.

const sh = (cmd: string) => execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 64 << 20 });

describe('remote host scripts, run here', () => {
  it('the /proc snapshot holds what proc-tasks reads: our process, its parent, its threads', async () => {
    const snap = parseSnapshot(sh(shCommand(SNAPSHOT)));
    const local = await listProcesses();
    expect(snap.procs.get(process.pid)).toEqual(local.get(process.pid));
    expect(snap.procs.get(process.ppid)?.ppid).toBe(local.get(process.ppid)?.ppid);
    expect(snap.tasks.get(process.pid)).toEqual(await tasksOf(process.pid));
    expect(descendants(snap.procs, 1).length).toBeGreaterThan(1);
    // Namespace links: the snapshot's shell and our process are in the same pid namespace.
    expect(snap.ns.get(snap.self)).toMatch(/^pid:\[\d+\]$/);
    expect(snap.ns.get(process.pid)).toBe(snap.ns.get(snap.self));
  });

  it('the feature script says what detectKernelFeatures says', async () => {
    const remote = parseRemoteFeatures(sh(shCommand(FEATURES_SCRIPT)));
    const local = await detectKernelFeatures();
    expect(remote.kernelRelease).toBe(local.kernelRelease);
    expect(remote.uid).toBe(local.uid);
    expect(remote.btf).toBe(local.btf);
    expect(remote.tracefs.path).toBe(local.tracefs.path);
    expect(remote.bpftrace?.path ?? null).toBe(local.bpftrace?.path ?? null);
    expect(remote.bpftrace?.version ?? null).toBe(local.bpftrace?.version ?? null);
    expect(remote.sudo).toBe(local.sudo);
    if (local.tracepoints !== null) expect(remote.tracepoints?.size).toBe(local.tracepoints.size);
  });
});

describe('remote command pieces', () => {
  it('user@server[:port] and its mistakes', () => {
    expect(parseHostSpec('alice@build-vm')).toEqual({ host: 'build-vm', user: 'alice' });
    expect(parseHostSpec('ci@10.0.0.5:2222')).toEqual({ host: '10.0.0.5', user: 'ci', port: 2222 });
    expect(parseHostSpec('[::1]:22')).toEqual({ host: '::1', port: 22 });
    expect(parseHostSpec('lab')).toEqual({ host: 'lab' });
    for (const bad of ['a@b@c', 'host:99999', 'host:0', 'a b', '', 'user@', 'ssh://x']) expect(() => parseHostSpec(bad), bad).toThrow(/is not user@server\[:port\]/);
  });

  it('ssh -G output: repeated keys kept in order', () => {
    const g = parseSshG('user alice\nhostname 10.0.0.5\nport 2222\nidentityfile ~/.ssh/id_ed25519\nidentityfile ~/.ssh/id_rsa\n');
    expect(g.get('identityfile')).toEqual(['~/.ssh/id_ed25519', '~/.ssh/id_rsa']);
    expect(g.get('port')).toEqual(['2222']);
  });

  it('sudo -S gets a random marker as its prompt; no password anywhere in the command', () => {
    const a = privilegedCommand('sudo-password', 'echo hi', []);
    const b = privilegedCommand('sudo-password', 'echo hi', []);
    expect(a.marker).toMatch(/^\[misertrace-[0-9a-f]{24}\]$/);
    expect(a.marker).not.toBe(b.marker);
    expect(a.command).toContain(`sudo -S -k -p '${a.marker}' -- /bin/sh -c`);
    expect(privilegedCommand('sudo-n', 'x', []).command).toMatch(/^exec sudo -n -- \/bin\/sh -c /);
    expect(privilegedCommand('root', 'x', []).marker).toBeNull();
    // Quoting survives any argument: the shell gives the script its arguments back unchanged.
    const weird = ["it's", 'a b', '$(rm -rf /)', '`x`', '"q"'];
    expect(sh(shCommand('printf "%s\\n" "$@"', weird)).trimEnd().split('\n')).toEqual(weird);
  });
});
