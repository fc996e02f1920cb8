import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real OpenSSH server (Debian's openssh-server) for the remote-host tests, on a loopback port,
// with its own sshd_config, host key and authorized_keys in a temp dir, and a throwaway user
// (in the docker group, allowed sudo WITH a password). Everything is removed by stop(), also
// after a failed test: the server, the user's processes, the user, its sudoers rule, the dir.

export interface SshdServer {
  port: number;
  user: string;
  password: string;
  dir: string;
  /** An ssh_config with two aliases: `mt-key` (the user's key) and `mt-pass` (no key: password). */
  sshConfig: string;
  knownHosts: string;
  hostKeyFile: string;
  /** The listening sshd's pid (its children serve the connections). */
  pid: number;
  /** sshd's log (stderr), for tests that look at what it did. */
  log(): string;
  /** A new host key (the server "was reinstalled"): restarts sshd with it. */
  changeHostKey(): Promise<void>;
  /** Lets the user use sudo without a password (true) or with one (false, the default). */
  sudoWithoutPassword(on: boolean): void;
  /** Stops (SIGSTOP) the per-connection sshd processes: the link goes silent without closing, as when a laptop sleeps. */
  freezeConnections(): number;
  /** Kills the per-connection sshd processes (the connections drop; the server keeps listening). */
  killConnections(): number;
  /** Kills the server and its connections (nothing listens on the port until restart()). */
  kill(): Promise<void>;
  /** Starts the server again on the same port, with the same keys. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function processesOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(readFileSync(`/proc/${name}/status`, 'utf8'))) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

export const sshdAvailable = existsSync('/usr/sbin/sshd') && process.getuid?.() === 0;

/**
 * Users, sudoers rules and folders of earlier runs that were killed before their cleanup (a CI
 * timeout): a test user whose sshd (its folder's sshd.pid) no longer runs is removed.
 */
function removeStaleRuns(): void {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, , , home] = line.split(':');
    if (!name || !home || !/^mtssh[0-9a-f]{8}$/.test(name)) continue;
    const dir = join(home, '..');
    let pid = 0;
    try {
      pid = Number(readFileSync(join(dir, 'sshd.pid'), 'utf8').trim()) || 0;
    } catch {
      // no pid file: killed before sshd started, or starting right now (see the age check)
    }
    if (pid > 0 && existsSync(`/proc/${pid}`) && commOf(pid) === 'sshd') continue;
    // Another suite may be starting its server right now (test files run in parallel).
    const age = existsSync(dir) ? Date.now() - statSync(dir).mtimeMs : Infinity;
    if (age < 10 * 60_000) continue;
    for (const p of processesOfUid(Number(uid))) spawnSync('kill', ['-KILL', String(p)]);
    spawnSync('userdel', ['--force', name]);
    // The suite's local user, named after it (remote-capture.test.ts).
    spawnSync('userdel', ['--force', name.replace(/^mtssh/, 'mtlocal')]);
    rmSync(`/etc/sudoers.d/${name}`, { force: true });
    if (dir.startsWith(tmpdir())) rmSync(dir, { recursive: true, force: true });
  }
}

export interface SshdOptions {
  /** Keyboard-interactive through PAM (pam_unix asks the password) instead of plain password authentication. */
  kbdInteractive?: boolean;
  /** Environment of the user's sessions (sshd's SetEnv), e.g. TMPDIR. */
  env?: Record<string, string>;
}

export async function startSshd(o: SshdOptions = {}): Promise<SshdServer> {
  try {
    removeStaleRuns();
  } catch {
    // A run without a pid file yet (starting now, in parallel): left alone.
  }
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-sshd-'));
  chmodSync(dir, 0o755);
  const user = `mtssh${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const port = await freePort();
  const hostKeyFile = join(dir, 'host_ed25519');
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'misertrace-test', '-f', file]);
  keygen(hostKeyFile);
  keygen(join(dir, 'client_ed25519'));
  mkdirSync(join(dir, 'authorized_keys'));
  writeFileSync(join(dir, 'authorized_keys', user), readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o644 });
  const createdRunDir = !existsSync('/run/sshd');
  if (createdRunDir) mkdirSync('/run/sshd', { mode: 0o755 });
  execFileSync('useradd', ['--create-home', '--home-dir', join(dir, 'home'), '--shell', '/bin/sh', '--groups', 'docker', user]);
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  execFileSync('chpasswd', [], { input: `${user}:${password}\n` });
  const sudoers = `/etc/sudoers.d/${user}`;
  writeFileSync(sudoers, `${user} ALL=(ALL) ALL\n`, { mode: 0o440 });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}/%u`,
      'StrictModes no',
      ...(o.kbdInteractive ? ['PasswordAuthentication no', 'KbdInteractiveAuthentication yes', 'UsePAM yes'] : ['PasswordAuthentication yes', 'KbdInteractiveAuthentication no', 'UsePAM no']),
      ...Object.entries(o.env ?? {}).map(([k, v]) => `SetEnv ${k}=${v}`),
      'PermitRootLogin no',
      `AllowUsers ${user}`,
      'AllowStreamLocalForwarding yes',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const knownHosts = join(dir, 'known_hosts');
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      'Host mt-key mt-pass',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${user}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  IdentitiesOnly yes',
      'Host mt-key',
      `  IdentityFile ${join(dir, 'client_ed25519')}`,
      'Host mt-pass',
      `  IdentityFile ${join(dir, 'no-such-key')}`,
      '',
    ].join('\n'),
  );
  let logText = '';
  let proc: ChildProcess | null = null;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const p = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      proc = p;
      const timer = setTimeout(() => reject(new Error(`sshd did not start: ${logText}`)), 10_000);
      p.stderr!.on('data', (d: Buffer) => {
        logText += d.toString();
        if (logText.includes('Server listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited (${code}): ${logText}`));
      });
    });
  const stopSshd = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    for (const c of childrenOf(p.pid!)) spawnSync('kill', ['-KILL', String(c)]);
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  const connectionSshds = (): number[] => {
    const out: number[] = [];
    const walk = (pid: number) => {
      for (const c of childrenOf(pid)) {
        if (commOf(c) !== 'sshd') continue;
        out.push(c);
        walk(c);
      }
    };
    walk(proc!.pid!);
    return out;
  };
  const cleanup = async () => {
    await stopSshd();
    for (const pid of processesOfUid(uid)) spawnSync('kill', ['-KILL', String(pid)]);
    rmSync(sudoers, { force: true });
    spawnSync('userdel', ['--force', user]);
    if (createdRunDir) rmSync('/run/sshd', { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (e) {
    await cleanup();
    throw e;
  }
  return {
    port,
    user,
    password,
    dir,
    sshConfig,
    knownHosts,
    hostKeyFile,
    get pid() {
      return proc!.pid!;
    },
    log: () => logText,
    sudoWithoutPassword(on: boolean) {
      writeFileSync(sudoers, `${user} ALL=(ALL) ${on ? 'NOPASSWD: ' : ''}ALL\n`, { mode: 0o440 });
    },
    async changeHostKey() {
      await stopSshd();
      rmSync(hostKeyFile, { force: true });
      rmSync(`${hostKeyFile}.pub`, { force: true });
      keygen(hostKeyFile);
      await start();
    },
    freezeConnections() {
      const sshds = connectionSshds();
      for (const c of sshds) spawnSync('kill', ['-STOP', String(c)]);
      return sshds.length;
    },
    killConnections() {
      // Each connection is a privileged monitor (a child of the listener) and the user's sshd
      // below it, which holds the socket and the command's pipes: both go, as in a crash.
      const sshds = connectionSshds();
      for (const c of sshds) spawnSync('kill', ['-KILL', String(c)]);
      return sshds.length;
    },
    kill: stopSshd,
    restart: start,
    stop: cleanup,
  };
}
