import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';

// Drives the `misertrace` CLI from dist/ as a user would: capture until the load is sent, then one
// bundle per model from the same records. What the CLI offers (models, probe sets) is read from
// its --help, so the harness runs whatever this build has.

// MISERTRACE_CLI measures another build of the CLI (e.g. a checkout of an older commit) against
// this harness; by default, this tree's.
const CLI = process.env.MISERTRACE_CLI ?? join(PROJECT_ROOT, 'bin', 'misertrace.js');

export function requireBuiltCli(): void {
  if (!existsSync(join(dirname(CLI), '..', 'dist', 'cli', 'main.js'))) throw new Error(`run \`npm run build\` first (the accuracy harness runs the CLI from dist/ beside ${CLI})`);
}

function help(command: string): string {
  const r = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

/** The values of `--flag a|b|c` in a help text, without `auto`; [] when the flag is absent. */
export function flagValues(text: string, flag: string): string[] {
  const m = new RegExp(`${flag}\\s+([a-z][a-z-]*(?:\\|[a-z][a-z-]*)+)`).exec(text);
  return m ? m[1]!.split('|').filter((v) => v !== 'auto') : [];
}

export interface CliOffer {
  /** Models `generate --model` takes; ['original'] when it has no such option. */
  models: string[];
  /** Probe sets `capture --probe-set` takes; [] when it has no such option (one built-in set). */
  probeSets: string[];
}

export function cliOffer(): CliOffer {
  const models = flagValues(help('generate'), '--model');
  return { models: models.length > 0 ? models : ['original'], probeSets: flagValues(help('capture'), '--probe-set') };
}

function run(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`misertrace ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().slice(-1500)}`);
}

export interface CaptureRun {
  bundle: string;
  exitCode: number;
  stderr: string;
  /** ms to attach, to run the work, to finish the bundle after SIGINT. */
  ms: { attach: number; work: number; finish: number };
}

/** Captures `network` while `work` runs: starts `misertrace capture`, waits for its attach line, SIGINT after. */
export async function captureWhile<T>(network: string, output: string, backend: string, probeSet: string | null, work: () => Promise<T>): Promise<{ run: CaptureRun; result: T }> {
  const args = [CLI, 'capture', '-n', network, '-o', output, '--backend', backend, ...(probeSet ? ['--probe-set', probeSet] : [])];
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += process.env.ACCURACY_DEBUG ? `[${Date.now() - t0} ms] ${d.toString()}` : d.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 : 1))));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve();
      });
      void exited.then((c) => reject(new Error(`capture exited (${c}) before attaching: ${stderr.trim().slice(-1000)}`)));
    });
    const t1 = Date.now();
    const result = await work();
    const t2 = Date.now();
    child.kill('SIGINT');
    const exitCode = await exited;
    const ms = { attach: t1 - t0, work: t2 - t1, finish: Date.now() - t2 };
    if (exitCode !== 0 && exitCode !== 1) throw new Error(`capture exited ${exitCode}: ${stderr.trim().slice(-1000)}`);
    return { run: { bundle: output, exitCode, stderr, ms }, result };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/**
 * One bundle per model from the records of `bundle`: a copy of it regenerated in place
 * (`generate -i B.mstrace --model M`), so every model reads exactly the same records.
 */
export function bundlesPerModel(bundle: string, models: readonly string[], workDir: string, offered: boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (!offered) {
    out.set(models[0]!, bundle);
    return out;
  }
  for (const m of models) {
    const o = join(workDir, `${m}.mstrace`);
    copyFileSync(bundle, o);
    run(['generate', '-i', o, '--model', m]);
    out.set(m, o);
  }
  return out;
}
