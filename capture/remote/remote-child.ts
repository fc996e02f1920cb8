// Over 300 lines: the remote capture child is one state machine over one SSH channel (watchdog script, heartbeat, stop, exit codes); its parts share that state.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { Emitter, type Disposable } from '../session/lifecycle.js';
import type { ChildExit } from '../session/pty-child.js';
import { RemoteError } from './remote-errors.js';
import type { SecretRequest, RemotePrompts } from './remote-prompts.js';
import { privilegedCommand, SUDO_GAVE_UP, SUDO_RETRY, type RemotePrivilege } from './remote-privilege.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';
import { CLOCK_LINE, ENDED_LINE, HEARTBEAT_EVERY_MS, HEARTBEAT_LOST_LINE, HEARTBEAT_TIMEOUT_S, parseClockLine, PRIVILEGED_LINE, TRACER_LINE, WATCHDOG, type RemoteClock } from './remote-watchdog.js';

// The capture child on a remote host: a privileged command on one channel of the host's
// connection, under the watchdog (remote-watchdog.ts) that stops it and cleans up when we say
// so, or by itself when the channel's stdin ends: the connection dropped, the laptop slept, the
// app died. Its stdout goes to `onData`; its stderr lines are its messages, as a PtyChild's
// lines are. It offers PtyChild's surface to the session (CaptureChild). It counts as exited once
// the tracer ended, its output ended and the extra streams (`dataDone`) are in: then the
// watchdog is told to clean up, and the channel closes.

export interface RemoteChildOptions {
  host: RemoteHost;
  privilege: RemotePrivilege;
  prompts: RemotePrompts;
  /** Shell command run as root after the tracer ended, whatever happened. */
  cleanup: string;
  /** The signal that asks the tracer to finish (default INT). */
  stopSignal?: 'INT' | 'TERM';
  /** The watchdog stops after this many seconds without our heartbeat (default HEARTBEAT_TIMEOUT_S). */
  heartbeatTimeoutS?: number;
  /** How often we send one (default HEARTBEAT_EVERY_MS; tests set it to 0 to fall silent). */
  heartbeatEveryMs?: number;
  /** Program and arguments of the tracer (run as root). */
  argv: readonly string[];
  onData: (chunk: Buffer) => void;
  /** The tracer's stdout carries messages (the ftrace helper's), not data: they become lines. */
  stdoutIsText?: boolean;
  onAuthenticating?: (active: boolean) => void;
  /** Files to put on the host first (an upload); returns the program and arguments to run, and what to remove after. */
  prepare?: () => Promise<{ argv: string[]; cleanup: string }>;
  /** The tracer runs, as `pid` on the host (to follow files it writes). */
  onTracer?: (pid: number) => void;
  /** Resolves when every extra stream of the tracer's output is in (files followed over other channels). */
  dataDone?: () => Promise<void>;
}

const MAX_TRANSCRIPT = 64 * 1024;
const MAX_SUDO_ATTEMPTS = 3;

export class RemoteChild implements Disposable {
  readonly onLine = new Emitter<string>();
  readonly exited: Promise<ChildExit>;
  private channel: ClientChannel | null = null;
  private partial = '';
  private transcriptText = '';
  private exit: ChildExit | null = null;
  private authError: RemoteError | null = null;
  private attempts = 0;
  private marker: string | null = null;
  /** The watchdog runs (as root): what we write now is for it, not for sudo. */
  private privileged = false;
  private resolveExit!: (x: ChildExit) => void;
  private endedStatus: number | null = null;
  private stdoutEnded = false;
  private cleanupSent = false;
  private cleanupCmd = '';
  private heartbeat: NodeJS.Timeout | null = null;
  /** Follows the tracer's output on stdout (random: no output can imitate it). */
  private readonly eofMark = Buffer.from(`@misertrace_eof_${randomBytes(12).toString('hex')}\n`);
  private held: Buffer = Buffer.alloc(0);
  private outPartial = '';
  /** The tracer's pid on the host, once it runs. */
  tracerPid: number | null = null;
  /** The host's clocks when the tracer started and ended (remote-watchdog.ts). */
  readonly clocks: { start: RemoteClock | null; end: RemoteClock | null } = { start: null, end: null };

  constructor(private readonly o: RemoteChildOptions) {
    this.exited = new Promise((r) => (this.resolveExit = r));
    void this.start();
  }

  /** No local process: the channel stands for it. */
  get pid(): number {
    return -1;
  }

  get hasExited(): boolean {
    return this.exit !== null;
  }

  get authenticationError(): RemoteError | null {
    return this.authError;
  }

  transcript(): string {
    return this.transcriptText + this.partial;
  }

  private startHeartbeat(): void {
    const every = this.o.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS;
    if (every <= 0 || this.heartbeat !== null) return;
    this.heartbeat = setInterval(() => {
      if (!this.cleanupSent && this.exit === null) this.send('hb\n');
    }, every);
    this.heartbeat.unref();
  }

  /** Ends (or closes) the channel while the connection lives. */
  private endChannel(close = false): void {
    if (this.channel === null || this.o.host.closedReason !== undefined) return;
    try {
      if (close) this.channel.close();
      else this.channel.end();
    } catch {
      // The connection is going.
    }
  }

  /** Writes to the watchdog while the connection lives (ssh2 may throw on a dead one). */
  private send(text: string): void {
    if (this.channel === null || !this.channel.writable || this.o.host.closedReason !== undefined) return;
    try {
      this.channel.write(text);
    } catch {
      // The connection is going: the watchdog acts on its own.
    }
  }

  private finish(x: ChildExit): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.exit !== null) return;
    this.flushPartial();
    this.exit = x;
    this.resolveExit(x);
  }

  private async start(): Promise<void> {
    let ch: ClientChannel;
    try {
      const prepared = this.o.prepare ? await this.o.prepare() : { argv: [...this.o.argv], cleanup: this.o.cleanup };
      this.cleanupCmd = prepared.cleanup;
      const cmd = privilegedCommand(this.o.privilege, WATCHDOG, [this.o.stopSignal ?? 'INT', this.eofMark.toString().trim(), String(this.o.heartbeatTimeoutS ?? HEARTBEAT_TIMEOUT_S), prepared.cleanup, ...prepared.argv]);
      this.marker = cmd.marker;
      ch = await this.o.host.channel(cmd.command);
    } catch (e) {
      this.transcriptText += `${(e as Error).message}\n`;
      // Uploaded, but the command never ran (no channel): no watchdog will remove the upload.
      if (this.cleanupCmd !== '') await this.o.host.exec(shCommand(this.cleanupCmd), { timeoutMs: 10_000 }).catch(() => undefined);
      this.finish({ exitCode: 255, signal: null });
      return;
    }
    this.channel = ch;
    let code: number | null = null;
    let signal: string | null = null;
    ch.on('exit', (c: number | null, s?: string) => {
      code = c;
      signal = s ?? null;
    });
    ch.on('data', (d: Buffer) => this.onStdout(d));
    ch.stderr.on('data', (d: Buffer) => this.onStderr(d.toString('utf8')));
    ch.on('close', () => {
      // No exit status: the connection went away under the command.
      if (code === null && signal === null) this.transcriptText += `${this.o.host.closedReason ?? `the channel to ${this.o.host.label} closed`}\n`;
      const exit = { exitCode: this.endedStatus ?? code ?? 255, signal: signal === null ? null : 1 };
      // sudo refused (or was cancelled) before the watchdog ran: its cleanup never will, so the
      // upload (the user's own folder) is removed as the user.
      const leftovers = !this.privileged && this.cleanupCmd !== '' ? this.o.host.exec(shCommand(this.cleanupCmd), { timeoutMs: 10_000 }).catch(() => undefined) : Promise.resolve();
      void leftovers.then(() => this.finish(exit));
    });
    if (this.marker === null) this.o.onAuthenticating?.(false);
  }

  /** Hands stdout on up to the end mark; holds back only a tail that may be the mark's start. */
  private onStdout(d: Buffer): void {
    if (this.stdoutEnded) return;
    const buf = this.held.length > 0 ? Buffer.concat([this.held, d]) : d;
    const at = buf.indexOf(this.eofMark);
    if (at >= 0) {
      if (at > 0) this.deliver(buf.subarray(0, at));
      this.held = Buffer.alloc(0);
      this.stdoutEnded = true;
      void this.maybeCleanup();
      return;
    }
    let keep = Math.min(buf.length, this.eofMark.length - 1);
    while (keep > 0 && !buf.subarray(buf.length - keep).equals(this.eofMark.subarray(0, keep))) keep--;
    if (buf.length > keep) this.deliver(buf.subarray(0, buf.length - keep));
    this.held = Buffer.from(buf.subarray(buf.length - keep));
  }

  private deliver(b: Buffer): void {
    if (!this.o.stdoutIsText) {
      this.o.onData(b);
      return;
    }
    this.outPartial += b.toString('utf8');
    const lines = this.outPartial.split('\n');
    this.outPartial = lines.pop() ?? '';
    for (const l of lines) this.emitLine(l.replace(/\r$/, ''));
  }

  /** Everything is in: the watchdog may clean up and exit (the channel then closes). */
  private async maybeCleanup(): Promise<void> {
    if (this.cleanupSent || this.endedStatus === null || !this.stdoutEnded || this.channel === null) return;
    this.cleanupSent = true;
    await this.o.dataDone?.().catch(() => undefined);
    this.send('cleanup\n');
    this.endChannel();
  }

  private onStderr(text: string): void {
    let t = this.partial + text;
    if (this.marker !== null) {
      let i: number;
      while ((i = t.indexOf(this.marker)) >= 0) {
        t = t.slice(0, i) + t.slice(i + this.marker.length);
        void this.answerSudo();
      }
    }
    const lines = t.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.emitLine(l.replace(/\r$/, ''));
  }

  private emitLine(line: string): void {
    if (line.startsWith('@misertrace_')) {
      if (line === PRIVILEGED_LINE) {
        this.privileged = true;
        this.startHeartbeat();
      } else if (line === HEARTBEAT_LOST_LINE) this.transcriptText += 'the watchdog heard nothing from us for too long and stopped the capture\n';
      else if (line.startsWith(CLOCK_LINE)) {
        const c = parseClockLine(line);
        if (c) this.clocks[c.which] = c.clock;
      } else if (line.startsWith(TRACER_LINE)) {
        this.tracerPid = Number(line.slice(TRACER_LINE.length + 1));
        this.o.onTracer?.(this.tracerPid);
      }
      else if (line.startsWith(ENDED_LINE)) {
        this.endedStatus = Number(line.slice(ENDED_LINE.length + 1));
        void this.maybeCleanup();
      }
      return;
    }
    if (SUDO_GAVE_UP.test(line)) this.authError = new RemoteError('auth-failed', `sudo on ${this.o.host.label} refused: ${line.trim()}`, 'check the password, and that the user may use sudo there');
    if (SUDO_RETRY.test(line)) return;
    this.transcriptText += `${line}\n`;
    if (this.transcriptText.length > MAX_TRANSCRIPT) this.transcriptText = this.transcriptText.slice(-MAX_TRANSCRIPT / 2);
    this.onLine.fire(line);
  }

  private flushPartial(): void {
    if (this.partial === '') return;
    const p = this.partial;
    this.partial = '';
    this.emitLine(p);
  }

  private async answerSudo(): Promise<void> {
    this.attempts++;
    this.o.onAuthenticating?.(true);
    let answer: string | null = null;
    if (this.attempts <= MAX_SUDO_ATTEMPTS) {
      const req: SecretRequest = { kind: 'sudo', host: this.o.host.label, message: `sudo password for ${this.o.host.target.user} on ${this.o.host.target.hostname}, to capture kernel events`, echo: false, attempt: this.attempts };
      answer = await this.o.prompts.secret(req).catch(() => null);
    }
    this.o.onAuthenticating?.(false);
    if (this.exit !== null || this.channel === null) return;
    if (answer === null) {
      this.authError ??= new RemoteError('auth-cancelled', `the sudo password for ${this.o.host.label} was not given; nothing was captured`);
      this.endChannel(true);
      return;
    }
    // Once, to the channel only: sudo reads it from its stdin (it does not echo it anywhere).
    this.send(`${answer}\n`);
  }

  /** Asks the watchdog to stop the tracer (SIGINT: bpftrace flushes), then clean up. */
  interrupt(): void {
    if (this.exit !== null || this.channel === null) return;
    // Before the watchdog runs, a line would be read by sudo as a password: end the channel.
    if (this.privileged) this.send('stop\n');
    else this.endChannel(true);
  }

  terminate(): void {
    this.interrupt();
  }

  /** SIGKILL to the tracer through the watchdog; the cleanup still runs. */
  kill(): void {
    if (this.exit !== null || this.channel === null) return;
    if (!this.privileged) {
      this.endChannel(true);
      return;
    }
    this.send('kill\n');
    // Whatever the command does now, its stdin ends: the watchdog acts on that too.
    this.endChannel();
  }

  dispose(): void {
    if (this.exit === null) this.kill();
    this.onLine.dispose();
  }
}
