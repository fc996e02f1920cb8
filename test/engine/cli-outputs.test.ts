import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture } from '../fixtures.js';
import { cli } from './cli-harness.js';

// Outputs never destroy inputs (issue 16 item 9): an output that is one of the command's inputs
// (the same path, a symbolic or a hard link) is refused before anything is read or written; a
// capture does not replace an existing bundle without --force.

let dir: TempDir;
let bundle: string;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

beforeAll(async () => {
  dir = tempDir();
  bundle = await buildFixtureBundle('seq20', dir.path);
});
afterAll(() => dir.remove());

function expectRefused(r: { code: number; stderr: string }, input: string): void {
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toMatch(/^misertrace: error: the output .* is the same file as the input/);
  expect(r.stderr).toContain(input);
  expect(r.stderr).toMatch(/hint: give misertrace \S+ another output path/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('an output that is an input is refused', () => {
  it('export -i B -o B, and through a symbolic link', async () => {
    const before = sha(bundle);
    expectRefused(await cli('export', '-i', bundle, '-n', '1', '--format', 'chrome', '-o', bundle), bundle);
    const link = join(dir.path, 'link.mstrace');
    symlinkSync(bundle, link);
    expectRefused(await cli('export', '-i', bundle, '-n', '1', '--format', 'svg', '-o', link), bundle);
    expect(sha(bundle)).toBe(before);
  });

  it('generate -o its input (sorted records or meta file), and a hard link to it', async () => {
    const sorted = join(dir.path, 'seq20.sorted.psv');
    const meta = join(dir.path, 'meta.psv');
    copyFileSync(fixture('seq20', 'meta.psv'), meta);
    const gw = readFileSync(fixture('seq20', 'gateway.txt'), 'utf8').trim();
    const before = [sha(sorted), sha(meta)];
    expectRefused(await cli('generate', '-i', sorted, '-m', meta, '-g', gw, '-o', sorted), sorted);
    expectRefused(await cli('generate', '-i', sorted, '-m', meta, '-g', gw, '-o', meta), meta);
    const hard = join(dir.path, 'hard.psv');
    linkSync(sorted, hard);
    expectRefused(await cli('generate', '-i', sorted, '-m', meta, '-g', gw, '-o', hard), sorted);
    expect([sha(sorted), sha(meta)]).toEqual(before);
  });

  it('sort -i X -o X and render -i B -o B', async () => {
    const raw = join(dir.path, 'raw.psv');
    copyFileSync(fixture('seq20', 'trace.psv'), raw);
    const before = sha(raw);
    expectRefused(await cli('sort', '-i', raw, '-o', raw), raw);
    expect(sha(raw)).toBe(before);
    const b = sha(bundle);
    expectRefused(await cli('render', '-i', bundle, '-t', 'dag', '-o', bundle), bundle);
    expect(sha(bundle)).toBe(b);
  });
});

describe('a capture does not replace a bundle unasked', () => {
  it('misertrace capture -o EXISTING exits 2 before anything starts, and says --force', async () => {
    const before = sha(bundle);
    const r = await cli('capture', '-n', 'no-such-network', '-o', bundle);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/exists: a capture does not replace it unasked/);
    expect(r.stderr).toMatch(/--force/);
    expect(sha(bundle)).toBe(before);
  });
});
