import { PassThrough } from 'node:stream';
import { runCli } from '../../../cli/main.js';

// `misertrace …` in-process: the very command code the binary runs, without depending on dist/.

export async function misertrace(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await runCli(args, { stdout: out, stderr: err, signal: new AbortController().signal });
  return { code, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
}
