import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicateCapture } from '../../bench/replicate.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { FIXTURES, fixture, PROJECT_ROOT } from '../fixtures.js';
import { spawn } from 'node:child_process';
import { BIN, cli, type CliRun } from './cli-harness.js';

// The records read on a thread of their own (docs/adr/0110, 0130; MISERTRACE_READ_THREAD=1) give the
// bundle, the messages and the exit codes the reading in process gives. The built command
// (`npm run build`) has the compiled worker beside it; cli() here runs the sources and reads in
// process: the two are compared.

let dir: TempDir;
let raw: string;
let meta: string;
const GW = '172.29.77.1';

beforeAll(async () => {
  expect(existsSync(join(PROJECT_ROOT, 'dist', 'engine', 'bundle', 'records-worker.js')), 'run `npm run build` first').toBe(true);
  dir = tempDir();
  raw = join(dir.path, 'raw.psv');
  meta = join(dir.path, 'raw.meta');
  // Several read chunks (4 MB each) and several record groups: batches, chunks and names cross messages.
  await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 12, tracePath: raw, metaPath: meta });
});
afterAll(() => dir.remove());

/** Every table of a bundle as text (the manifest without its creation time). */
function content(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, string> = {};
    for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%'").pluck().all() as string[]) {
      const where = t === 'manifest' ? " WHERE key <> 'createdAt'" : t === 'block_checksums' ? " WHERE tbl <> 'manifest'" : '';
      const rows = db.prepare(`SELECT * FROM ${t}${where}`).raw(true).all() as unknown[][];
      out[t] = JSON.stringify(rows.map((r) => r.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v))));
    }
    return out;
  } finally {
    db.close();
  }
}

/** The built command with MISERTRACE_READ_THREAD=1: its records read on the thread. */
function spawnForced(argv: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MISERTRACE_READ_THREAD: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The same command in process and as the built command, each with its own output. */
async function both(args: (out: string) => string[], name: string): Promise<{ here: CliRun; thread: CliRun; a: string; b: string }> {
  const a = join(dir.path, `${name}-here.mstrace`);
  const b = join(dir.path, `${name}-thread.mstrace`);
  const here = await cli(...args(a));
  const thread = await spawnForced(args(b));
  return { here, thread, a, b };
}

const same = (r: CliRun, a: string, b: string) => r.stdout.replaceAll(a, 'OUT') + r.stderr.replaceAll(a, 'OUT');

describe('records read on their own thread', () => {
  it('is where the built command reads sorted input by default; a raw capture only when asked, and =0 reads in process', async () => {
    // The thread pays for sorted input and not for a raw capture, ordered whole before its first batch (docs/adr/0130).
    const mod = (await import(pathToFileURL(join(PROJECT_ROOT, 'dist', 'engine', 'bundle', 'reader-thread.js')).href)) as { readerEntry(raw?: boolean): URL | null };
    const was = process.env['MISERTRACE_READ_THREAD'];
    try {
      delete process.env['MISERTRACE_READ_THREAD'];
      expect(mod.readerEntry(false)?.pathname).toMatch(/dist\/engine\/bundle\/records-worker\.js$/);
      expect(mod.readerEntry(true)).toBeNull();
      process.env['MISERTRACE_READ_THREAD'] = '1';
      expect(mod.readerEntry(true)).not.toBeNull();
      process.env['MISERTRACE_READ_THREAD'] = '0';
      expect(mod.readerEntry(false)).toBeNull();
    } finally {
      if (was === undefined) delete process.env['MISERTRACE_READ_THREAD'];
      else process.env['MISERTRACE_READ_THREAD'] = was;
    }
  });

  it('bundle import of a raw capture (ordered on the thread): the same bundle and output', async () => {
    const { here, thread, a, b } = await both((o) => ['bundle', 'import', '-i', raw, '-m', meta, '-g', GW, '-o', o], 'import');
    expect(here.code).toBe(0);
    expect(thread.code).toBe(0);
    expect(same(thread, b, a)).toBe(same(here, a, b));
    expect(content(b)).toEqual(content(a));
  });

  it('generate --lenient of an unsorted capture with cut lines: the same findings, counts and bundle', async () => {
    // More cut lines than the examples kept per kind (50): counts and examples cross apart.
    const lines = readFileSync(raw, 'utf8').split('\n');
    for (let i = 0; i < 70; i++) lines[1000 + i * 997] = lines[1000 + i * 997]!.slice(0, 20);
    const cut = join(dir.path, 'cut.psv');
    writeFileSync(cut, lines.join('\n'));
    const { here, thread, a, b } = await both((o) => ['generate', '-i', cut, '-m', meta, '-g', GW, '-o', o, '--lenient'], 'lenient');
    expect(here.code).toBe(0);
    expect(thread.code).toBe(0);
    expect(same(thread, b, a)).toBe(same(here, a, b));
    const c = content(b);
    expect(c).toEqual(content(a));
    expect(c['diagnostic_counts']).toMatch(/"malformed-line",70/);
    expect(c['diagnostic_counts']).toMatch(/"unsorted-record",\d+/);
  });

  it('Ctrl-C while the records are read on the thread: exit 130, nothing left behind', async () => {
    const sub = join(dir.path, 'sigint');
    mkdirSync(sub);
    const out = join(sub, 'stopped.mstrace');
    const child = spawn(process.execPath, [BIN, 'generate', '-i', raw, '-m', meta, '-g', GW, '-o', out, '--lenient'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MISERTRACE_READ_THREAD: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const writing = () => readdirSync(sub).some((f) => f.startsWith('.stopped.mstrace.partial-'));
    for (let i = 0; i < 500 && !writing(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(writing()).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; no output was written/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('bad input: the same message and exit code, and nothing left behind', async () => {
    const lines = readFileSync(fixture('mixed50', 'sorted.psv'), 'utf8').split('\n');
    lines[5000] = lines[5000]!.slice(0, 15);
    const cut = join(dir.path, 'cut-sorted.psv');
    writeFileSync(cut, lines.join('\n'));
    const empty = join(dir.path, 'empty.psv');
    writeFileSync(empty, '');
    for (const [name, input] of [
      ['cut', cut],
      ['unsorted', fixture('mixed50', 'trace.psv')],
      ['empty', empty],
      ['missing', join(dir.path, 'nowhere.psv')],
    ] as const) {
      const { here, thread, a, b } = await both((o) => ['generate', '-i', input, '-m', meta, '-g', GW, '-o', o], name);
      expect(here.code, name).toBe(2);
      expect(thread.code, name).toBe(2);
      expect(thread.stderr.replaceAll(b, 'OUT'), name).toBe(here.stderr.replaceAll(a, 'OUT'));
      expect(thread.stderr, name).not.toMatch(/\n\s+at /);
      expect(existsSync(b), name).toBe(false);
    }
    expect(readdirSync(dir.path).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
