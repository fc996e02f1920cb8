import { spawn, type IPty } from 'node-pty';
import { CaptureError } from './capture-errors.js';
import { AUTH_GAVE_UP_RE, AUTH_RETRY_RE, type ElevationPlan, type PasswordPrompt } from './elevation.js';
import { Emitter, type Disposable } from './lifecycle.js';

// The elevated capture child in a pseudo-terminal (node-pty): sudo and pkexec want a terminal
// to ask for a password, and a terminal lets us stop the child with ^C whatever its owner. The
// pty carries only the child's messages (records go to a file). A password prompt is answered
// through the caller's callback; the answer goes to the pty and nowhere else.

/** What a session needs of its capture child: a PtyChild here, a RemoteChild on another host (capture/remote). */
export interface CaptureChild {
  readonly pid: number;
  readonly onLine: Emitter<string>;
  readonly exited: Promise<ChildExit>;
  readonly hasExited: boolean;
  /** Set when authentication was cancelled or failed; the child is gone or going. */
  readonly authenticationError: Error | null;
  transcript(): string;
  /** A line to the child's standard input (the ftrace helper's "pids N,N"); absent where there is none. */
  writeLine?(line: string): void;
  interrupt(): void;
  terminate(): void;
  kill(): void;
  dispose(): void;
}

export interface ChildExit {
  exitCode: number;
  signal: number | null;
}

export interface PtyChildOptions {
  plan: ElevationPlan;
  cwd: string;
  askPassword?: PasswordPrompt;
  /** Called when a password is being asked and again when it was accepted. */
  onAuthenticating?: (active: boolean) => void;
}

const MAX_TRANSCRIPT = 64 * 1024;

export class PtyChild implements CaptureChild, Disposable {
  readonly onLine = new Emitter<string>();
  readonly exited: Promise<ChildExit>;
  private readonly pty: IPty;
  private partial = '';
  private transcriptText = '';
  private attempts = 0;
  private asking = false;
  private authError: CaptureError | null = null;
  private exit: ChildExit | null = null;
  private disposed = false;

  constructor(private readonly o: PtyChildOptions) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, o.plan.env);
    // A wide terminal: sudo and bpftrace messages stay on one line each.
    this.pty = spawn(o.plan.file, o.plan.args, { name: 'xterm', cols: 400, rows: 50, cwd: o.cwd, env });
    this.exited = new Promise<ChildExit>((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.flushPartial();
        this.exit = { exitCode, signal: signal ? signal : null };
        if (this.asking) this.o.onAuthenticating?.(false);
        resolve(this.exit);
      });
    });
    this.pty.onData((d) => this.onData(d));
  }

  get pid(): number {
    return this.pty.pid;
  }

  get hasExited(): boolean {
    return this.exit !== null;
  }

  /** Set when authentication was cancelled or failed; the child is gone or going. */
  get authenticationError(): CaptureError | null {
    return this.authError;
  }

  /** The child's recent messages (bounded). */
  transcript(): string {
    return this.transcriptText + this.partial;
  }

  private onData(d: string): void {
    let text = this.partial + d;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const raw of lines) this.emitLine(raw.replace(/\r$/, ''));
    text = this.partial;
    if (this.o.plan.prompt && this.o.plan.prompt.test(text) && !this.asking) {
      this.partial = '';
      void this.answerPrompt();
    }
  }

  private emitLine(line: string): void {
    if (AUTH_RETRY_RE.test(line) || AUTH_GAVE_UP_RE.test(line)) {
      if (AUTH_GAVE_UP_RE.test(line)) {
        this.authError = new CaptureError('auth-failed', `${this.o.plan.method} refused the password: ${line.trim()}`, 'check the password, and that your user may run the capture with sudo/pkexec');
      }
    }
    this.transcriptText += `${line}\n`;
    if (this.transcriptText.length > MAX_TRANSCRIPT) this.transcriptText = this.transcriptText.slice(-MAX_TRANSCRIPT / 2);
    this.onLine.fire(line);
  }

  private flushPartial(): void {
    if (this.partial !== '') {
      const p = this.partial;
      this.partial = '';
      this.emitLine(p.replace(/\r$/, ''));
    }
  }

  private async answerPrompt(): Promise<void> {
    const method = this.o.plan.method;
    if (method === 'direct') return;
    this.attempts++;
    this.asking = true;
    this.o.onAuthenticating?.(true);
    if (!this.o.askPassword) {
      this.authError = new CaptureError('not-privileged', `${method} asks for a password and no one can answer`, 'run as root, or from a terminal or the app, which ask for the password');
      this.kill();
      return;
    }
    let answer: string | null;
    try {
      answer = await this.o.askPassword({ method, attempt: this.attempts, message: `${method} password to capture kernel events (attempt ${this.attempts})` });
    } catch (e) {
      answer = null;
      this.transcriptText += `password prompt failed: ${(e as Error).message}\n`;
    }
    this.asking = false;
    this.o.onAuthenticating?.(false);
    if (this.exit !== null) return;
    if (answer === null) {
      this.authError = new CaptureError('auth-cancelled', 'authentication was cancelled; nothing was captured');
      this.kill();
      return;
    }
    // The password goes to the terminal only. The terminal does not echo it (sudo/pkexec turn
    // echo off), and it is not kept in any field of ours.
    this.pty.write(`${answer}\r`);
  }

  /** Through the terminal (a carriage return, as a typed Enter): the child reads it as a line. */
  writeLine(line: string): void {
    if (this.exit === null) this.pty.write(`${line}\r`);
  }

  /** ^C through the terminal: reaches the child whatever user it runs as. */
  interrupt(): void {
    if (this.exit === null) this.pty.write('\x03');
  }

  /** ^\ through the terminal (SIGQUIT), and SIGTERM when the child is ours to signal. */
  terminate(): void {
    if (this.exit !== null) return;
    this.pty.write('\x1c');
    if (this.o.plan.method === 'direct') this.signal('SIGTERM');
  }

  /** SIGKILL when the child is ours; else closing the terminal hangs its session up (SIGHUP). */
  kill(): void {
    if (this.exit !== null) return;
    if (this.o.plan.method === 'direct') this.signal('SIGKILL');
    else (this.pty as unknown as { destroy(): void }).destroy();
  }

  private signal(sig: NodeJS.Signals): void {
    // node-pty ignores ESRCH (the child exited between our check and the signal).
    this.pty.kill(sig);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.exit === null) this.kill();
    this.onLine.dispose();
  }
}
