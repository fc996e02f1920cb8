import type { RemoteHost } from '../capture/remote/ssh-connection.js';
import { readTerminalLine } from '../capture/session/terminal-password.js';
import { UsageError, type Options } from './command.js';

// `capture --host` after the connection dropped mid-capture (docs/adr/0085): the partial bundle
// is already written; then connect again (bounded, each try said), wait until the host's watchdog
// stopped the earlier tracer, and either resume (a new segment into the same bundle, the gap in
// its manifest) or finish with the partial bundle: as --on-disconnect says, or as the person
// answers on the terminal.

export type OnDisconnect = 'ask' | 'resume' | 'finish';

export const RESUME_OPTIONS: Options = {
  'on-disconnect': { type: 'string' },
  'reconnect-tries': { type: 'string' },
};

export const RESUME_HELP = `      --on-disconnect W  when the connection to --host drops mid-capture (the partial bundle is
                         written first): ask (default; without a terminal: finish), resume
                         (reconnect, then capture on into the same bundle, the gap in its
                         manifest) or finish
      --reconnect-tries N  connection tries before finishing (default 6, over about 45 s)`;

export function resumeOptionsOf(v: Record<string, unknown>): { onDisconnect: OnDisconnect; tries: number } {
  const w = (v['on-disconnect'] as string | undefined) ?? 'ask';
  if (w !== 'ask' && w !== 'resume' && w !== 'finish') throw new UsageError(`--on-disconnect must be ask, resume or finish, not "${w}"`, 'see: misertrace capture --help');
  const t = v['reconnect-tries'] === undefined ? 6 : Number(v['reconnect-tries']);
  if (!Number.isInteger(t) || t < 0) throw new UsageError(`--reconnect-tries must be a whole number >= 0, not "${String(v['reconnect-tries'])}"`);
  return { onDisconnect: w, tries: t };
}

export interface AfterLoss {
  label: string;
  /** Why the connection ended. */
  lost: string;
  /** The earlier tracer's pid on the host (null: it never ran). */
  tracerPid: number | null;
  output: string;
  connect(): Promise<RemoteHost>;
  onDisconnect: OnDisconnect;
  tries: number;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
}

/** The new connection to capture on with, or null: finish with the partial bundle. */
export async function resumeOrFinish(o: AfterLoss): Promise<RemoteHost | null> {
  const say = (t: string) => o.stderr.write(`misertrace: ${t}\n`);
  const tty = o.stdin.isTTY === true;
  if (o.onDisconnect === 'finish' || (o.onDisconnect === 'ask' && !tty)) {
    if (o.onDisconnect === 'ask') say('no terminal to ask whether to resume: finishing (--on-disconnect resume resumes without asking)');
    return null;
  }
  const { reconnect, tracerGone } = await import('../capture/remote/remote-reconnect.js');
  const { host, error } = await reconnect({
    connect: o.connect,
    tries: o.tries,
    signal: o.signal,
    onAttempt: (n, tries, delay, last) => say(`reconnecting to ${o.label} in ${(delay / 1000).toFixed(0)} s (try ${n} of ${tries})${last ? `; the last try: ${last.message}` : ''}`),
  });
  if (host === null) {
    say(`could not connect to ${o.label} again${error ? ` (${error.message})` : ''}; finishing with the partial bundle`);
    return null;
  }
  say(`connected to ${o.label} again; waiting until its watchdog stopped the earlier capture`);
  if (o.tracerPid !== null && !(await tracerGone(host, o.tracerPid, 45_000, o.signal).catch(() => false))) {
    say(`the earlier tracer (pid ${o.tracerPid} on ${o.label}) still runs: not starting a second one; finishing (its watchdog stops it within 30 s)`);
    host.dispose();
    return null;
  }
  if (o.onDisconnect === 'ask') {
    for (;;) {
      const a = await readTerminalLine(o.stdin, o.stderr, `The capture on ${o.label} was stopped when the connection dropped. Resume it into ${o.output} (r), or finish with the partial bundle (f)? [r/f] `, true);
      const w = a?.trim().toLowerCase() ?? 'f';
      if (w === 'r' || w === 'resume') break;
      if (w === 'f' || w === 'finish' || a === null) {
        host.dispose();
        return null;
      }
    }
  }
  if (o.signal.aborted) {
    host.dispose();
    return null;
  }
  say(`resuming the capture on ${o.label} into ${o.output}`);
  return host;
}
