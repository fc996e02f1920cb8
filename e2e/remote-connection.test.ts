import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteHost } from '../capture/remote/ssh-connection.js';
import type { HostKeyRequest, RemotePrompts, SecretRequest } from '../capture/remote/remote-prompts.js';
import { sshdAvailable, startSshd, type SshdServer } from './helpers/sshd-server.js';

// The SSH connection of a remote host against a real OpenSSH server on a loopback port: key and
// password logins, a wrong password, a host key accepted once on first use (and known after), a
// changed host key refused with a clear message.

const skip = sshdAvailable ? null : 'needs root and /usr/sbin/sshd (apt-get install -y openssh-server)';
if (skip) console.warn(`[skip] remote connection: ${skip}`);

interface Asked {
  secrets: SecretRequest[];
  keys: HostKeyRequest[];
}

function prompts(answers: { password?: (string | null)[]; acceptKey?: boolean }, asked: Asked): RemotePrompts {
  return {
    secret: async (r) => {
      asked.secrets.push(r);
      return answers.password?.[r.attempt - 1] ?? null;
    },
    confirmHostKey: async (r) => {
      asked.keys.push(r);
      return answers.acceptKey ?? false;
    },
  };
}

/** The error a connection failed with, as a plain object (code, message, hint); null if it connected. */
async function failure(p: Promise<RemoteHost>): Promise<{ code: string; message: string; hint?: string } | null> {
  try {
    (await p).dispose();
    return null;
  } catch (e) {
    const err = e as Error & { code: string; hint?: string };
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
}

describe.skipIf(skip !== null)('remote host connection over a real sshd', () => {
  let sshd: SshdServer;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const connect = (alias: string, p: RemotePrompts) => RemoteHost.connect(alias, { prompts: p, configFile: sshd.sshConfig, agent: false });

  it('an unknown host key is refused unless accepted; accepted once, it is in known_hosts and not asked again', async () => {
    const asked: Asked = { secrets: [], keys: [] };
    expect(await failure(connect('mt-key', prompts({ acceptKey: false }, asked)))).toMatchObject({ code: 'host-key-unknown' });
    expect(asked.keys).toHaveLength(1);
    const fp = readFileSync(`${sshd.hostKeyFile}.pub`, 'utf8');
    expect(asked.keys[0]!.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(asked.keys[0]!.entryName).toBe(`[127.0.0.1]:${sshd.port}`);
    expect(fp).toContain('ssh-ed25519');
    const again: Asked = { secrets: [], keys: [] };
    const host = await connect('mt-key', prompts({ acceptKey: true }, again));
    host.dispose();
    expect(again.keys).toHaveLength(1);
    expect(readFileSync(sshd.knownHosts, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);
    const third: Asked = { secrets: [], keys: [] };
    const h3 = await connect('mt-key', prompts({}, third));
    const r = await h3.exec('id -un');
    h3.dispose();
    expect(r.stdout.toString().trim()).toBe(sshd.user);
    expect(third.keys).toHaveLength(0);
    // The key file logged in: nothing was asked.
    expect(third.secrets).toHaveLength(0);
  });

  it('password login through the prompt; a wrong password is asked again, three wrong ones fail clearly', async () => {
    const ok: Asked = { secrets: [], keys: [] };
    const host = await connect('mt-pass', prompts({ password: ['wrong-one', sshd.password] }, ok));
    expect((await host.exec('id -un')).stdout.toString().trim()).toBe(sshd.user);
    host.dispose();
    expect(ok.secrets.map((s) => [s.kind, s.attempt])).toEqual([
      ['password', 1],
      ['password', 2],
    ]);
    const bad: Asked = { secrets: [], keys: [] };
    const err = (await failure(connect('mt-pass', prompts({ password: ['a', 'b', 'c'] }, bad))))!;
    expect(err).toMatchObject({ code: 'auth-failed' });
    expect(err.message).toContain('refused every way of logging in');
    expect(err.message).toContain('password');
    expect(bad.secrets).toHaveLength(3);
    const cancelled = await failure(connect('mt-pass', prompts({ password: [null] }, { secrets: [], keys: [] })));
    expect(cancelled).toMatchObject({ code: 'auth-cancelled' });
  });

  it('a changed host key is refused with a clear message, whatever the prompts say', async () => {
    await sshd.changeHostKey();
    const asked: Asked = { secrets: [], keys: [] };
    const err = (await failure(connect('mt-key', prompts({ acceptKey: true, password: [sshd.password] }, asked))))!;
    expect(err).toMatchObject({ code: 'host-key-changed' });
    expect(err.message).toMatch(/host key of mt-key has CHANGED: it now shows ssh-ed25519 SHA256:\S+, which does not match .*known_hosts:1/);
    expect(err.hint).toContain('ssh-keygen -R');
    // Never asked: a mismatch is not a question.
    expect(asked.keys).toHaveLength(0);
    expect(asked.secrets).toHaveLength(0);
  });

  it('an unreachable port says so', async () => {
    const err = await failure(RemoteHost.connect('nobody@127.0.0.1:1', { prompts: prompts({}, { secrets: [], keys: [] }), agent: false, sshProgram: null }));
    expect(err).toMatchObject({ code: 'unreachable' });
    expect(err!.message).toContain('nothing accepts SSH connections on 127.0.0.1 port 1');
  });
});
