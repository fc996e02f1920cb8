import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/main.js';
import { PROJECT_ROOT } from '../fixtures.js';

// Runs `misertrace` in-process (fast, same code path as the bin) or as a real child process.

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...argv: string[]): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runCli(argv, { stdout: out, stderr: err, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

export const BIN = join(PROJECT_ROOT, 'bin', 'misertrace.js');

/** Spawns the real bin (needs `npm run build`); `onStderr` sees stderr as it comes. */
export function spawnCli(argv: string[], onStderr?: (chunk: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(d.toString(), (sig) => child.kill(sig));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}
