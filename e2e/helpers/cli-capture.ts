import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';

// `misertrace capture` as a user runs it, for the capture e2e specs: spawned from the built CLI,
// its output collected, and its attach line (the one line it prints on stdout) awaited.

export const CLI = join(PROJECT_ROOT, 'bin', 'misertrace.js');

export interface CliCapture {
  child: ChildProcessWithoutNullStreams;
  /** The exit code; null when a signal ended it. */
  exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** Resolves with stdout once its first line (the attach line) is there; rejects if the capture exits first. */
  attached(): Promise<string>;
  /** Kills it with SIGKILL if it still runs (for `finally` blocks). */
  kill(): void;
}

/** Throws the what-to-do when the CLI has not been built (it runs from dist/). */
export function requireBuiltCli(): void {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` before the e2e tests (the CLI runs from dist/)');
}

/** `misertrace capture <args>` (the 'capture' word is added); `opts` as for spawn (a user, a home). */
export function spawnCapture(args: readonly string[], opts: Omit<SpawnOptions, 'stdio'> = {}): CliCapture {
  requireBuiltCli();
  const child = spawn(process.execPath, [CLI, 'capture', ...args], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] }) as unknown as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const attached = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout);
    });
    void exited.then((c) => reject(new Error(`capture exited (${c}) before attaching: ${stderr}`)));
  });
  attached.catch(() => undefined); // a spec that never waits for the attach must not see an unhandled rejection
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    attached: () => attached,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
