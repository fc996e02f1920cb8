import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NO_PROMPTS } from '../../capture/remote/remote-prompts.js';
import { reconnect } from '../../capture/remote/remote-reconnect.js';
import { RemoteHost } from '../../capture/remote/ssh-connection.js';
import { resumeOptionsOf, resumeOrFinish } from '../../cli/remote-resume.js';

// Reconnecting after a drop (docs/adr/0085), against a real closed port: each try is said with
// the last failure, the tries are bounded, Ctrl-C (the signal) stops them; the CLI's options and
// what it does without a terminal to ask on.

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('reconnect', () => {
  it('tries a bounded number of times, saying each try and the last failure', async () => {
    const port = await closedPort();
    const said: string[] = [];
    const r = await reconnect({
      connect: () => RemoteHost.connect(`u@127.0.0.1:${port}`, { prompts: NO_PROMPTS, configFile: '/dev/null', agent: false }),
      tries: 3,
      delaysMs: [10, 20],
      onAttempt: (n, tries, delay, last) => said.push(`${n}/${tries} in ${delay} ms${last ? `: ${last.message}` : ''}`),
    });
    expect(r.host).toBeNull();
    expect(r.error?.message).toBe(`nothing accepts SSH connections on 127.0.0.1 port ${port} (u@127.0.0.1:${port})`);
    expect(said).toEqual(['1/3 in 10 ms', `2/3 in 20 ms: ${r.error!.message}`, `3/3 in 20 ms: ${r.error!.message}`]);
  });

  it('stops at once when aborted (Ctrl-C while waiting)', async () => {
    const ctl = new AbortController();
    let connects = 0;
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 50);
    const r = await reconnect({ connect: async () => (connects++, Promise.reject(new Error('no'))), delaysMs: [10_000], signal: ctl.signal });
    expect(r.host).toBeNull();
    expect(connects).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('capture --on-disconnect', () => {
  it('checks its options', () => {
    expect(resumeOptionsOf({})).toEqual({ onDisconnect: 'ask', tries: 6 });
    expect(resumeOptionsOf({ 'on-disconnect': 'resume', 'reconnect-tries': '2' })).toEqual({ onDisconnect: 'resume', tries: 2 });
    expect(() => resumeOptionsOf({ 'on-disconnect': 'later' })).toThrow('--on-disconnect must be ask, resume or finish, not "later"');
    expect(() => resumeOptionsOf({ 'reconnect-tries': '-1' })).toThrow('--reconnect-tries must be a whole number >= 0, not "-1"');
  });

  it('ask without a terminal: finishes with the partial bundle, says how to resume, connects nowhere', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d: Buffer) => (text += d.toString()));
    let connects = 0;
    const next = await resumeOrFinish({
      label: 'h',
      lost: 'the connection to h was lost',
      tracerPid: 1,
      output: '/tmp/x.mstrace',
      connect: async () => (connects++, Promise.reject(new Error('no'))),
      onDisconnect: 'ask',
      tries: 6,
      stdin: Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream,
      stderr,
      signal: new AbortController().signal,
    });
    expect(next).toBeNull();
    expect(connects).toBe(0);
    expect(text).toBe('misertrace: no terminal to ask whether to resume: finishing (--on-disconnect resume resumes without asking)\n');
  });
});
