import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteHosts } from '../electron/app-services/remote-hosts.js';
import type { HostPrompt } from '../electron/ipc-capture-types.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { PROJECT_ROOT } from '../test/fixtures.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { sshdAvailable, startSshd, type SshdServer } from './helpers/sshd-server.js';

// keyboard-interactive login through PAM (docs/adr/0087): a real sshd with UsePAM and
// KbdInteractiveAuthentication and no plain password method, so pam_unix asks "Password:" as
// on most distributions' defaults. The CLI asks it on its terminal (a real pty here), a wrong
// answer is asked again; the app asks it through hostPrompt as its dialog shows it.

const env = await captureEnvironment();
const skip = env.dockerSkipReason ?? (sshdAvailable ? null : 'needs /usr/sbin/sshd (apt-get install -y openssh-server) and root');
announceSkip('keyboard-interactive login', skip);

describe.skipIf(skip !== null)('keyboard-interactive login through PAM', () => {
  let sshd: SshdServer;
  let dir: TempDir;

  beforeAll(async () => {
    dir = tempDir('misertrace-kbd-');
    sshd = await startSshd({ kbdInteractive: true });
    const key = readFileSync(`${sshd.hostKeyFile}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(sshd.knownHosts, `[127.0.0.1]:${sshd.port} ${key}\n`);
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    dir?.remove();
  }, 60_000);

  it('misertrace doctor --host asks PAM\'s prompt on its terminal, again after a wrong answer, and never echoes it', async () => {
    const term = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'misertrace.js'), 'doctor', '--host', 'mt-pass', '--ssh-config', sshd.sshConfig], {
      name: 'xterm',
      cols: 200,
      rows: 50,
      cwd: dir.path,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir.path },
    });
    let out = '';
    const exited = new Promise<number>((r) => term.onExit((e) => r(e.exitCode)));
    term.onData((d) => (out += d));
    const prompt = `[misertrace] (${sshd.user}@127.0.0.1) Password: `;
    const waitFor = async (text: string, from: number) => {
      for (const t0 = Date.now(); !out.slice(from).includes(text); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() - t0 > 30_000) throw new Error(`no "${text}" in: ${out}`);
      }
    };
    try {
      await waitFor(prompt, 0);
      let mark = out.length;
      term.write('not-the-password\r');
      await waitFor(`Sorry, try again. ${prompt}`, mark);
      mark = out.length;
      term.write(`${sshd.password}\r`);
      await waitFor(`host mt-pass (${sshd.user}@127.0.0.1:${sshd.port}, over SSH)`, mark);
      await exited;
      expect(out).toMatch(/ok .*Docker engine/);
      expect(out).not.toContain(sshd.password);
      expect(out).not.toContain('not-the-password');
      expect(sshd.log()).toContain(`Accepted keyboard-interactive/pam for ${sshd.user}`);
      expect(sshd.log()).not.toContain(sshd.password);
    } finally {
      term.kill();
    }
  }, 90_000);

  it('the app asks it through hostPrompt, with the server\'s own text, and connects', async () => {
    const asked: HostPrompt[] = [];
    const hosts: RemoteHosts = new RemoteHosts(
      dir.path,
      (p) => {
        asked.push(p);
        setTimeout(() => hosts.answer(p.promptId, sshd.password), 10);
      },
      { configFile: sshd.sshConfig, agent: false },
    );
    try {
      const nets = await (await hosts.services('mt-pass')).discoveryService().listNetworks();
      expect(nets.length).toBeGreaterThan(0);
      expect(asked).toEqual([{ promptId: asked[0]!.promptId, kind: 'keyboard-interactive', host: 'mt-pass', message: `(${sshd.user}@127.0.0.1) Password:`, echo: false, fingerprint: null }]);
    } finally {
      hosts.dispose();
    }
  }, 60_000);
});
