import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { fixture } from '../fixtures.js';
import { cli } from './cli-harness.js';

// Outputs never destroy inputs (issue 16 item 9): an output that is one of the command's inputs
// (the same path, a symbolic or a hard link) is refused before anything is read or written; a
// capture does not replace an existing bundle without --force.

const fx = fixtureBundleForFile('seq20');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function expectRefused(r: { code: number; stderr: string }, input: string): void {
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toMatch(/^misertrace: error: the output .* is the same file as the input/);
  expect(r.stderr).toContain(input);
  expect(r.stderr).toMatch(/hint: give misertrace \S+ another output path/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('an output that is an input is refused', () => {
  it('export -i B -o B, and through a symbolic link', async () => {
    const before = sha(fx.path);
    expectRefused(await cli('export', '-i', fx.path, '-n', '1', '--format', 'chrome', '-o', fx.path), fx.path);
    const link = join(fx.dir.path, 'link.mstrace');
    symlinkSync(fx.path, link);
    expectRefused(await cli('export', '-i', fx.path, '-n', '1', '--format', 'svg', '-o', link), fx.path);
    expect(sha(fx.path)).toBe(before);
  });

  it('generate -o its input (sorted records or meta file), and a hard link to it', async () => {
    const sorted = join(fx.dir.path, 'seq20.sorted.psv');
    const meta = join(fx.dir.path, 'meta.psv');
    copyFileSync(fixture('seq20', 'meta.psv'), meta);
    const gw = readFileSync(fixture('seq20', 'gateway.txt'), 'utf8').trim();
    const before = [sha(sorted), sha(meta)];
    expectRefused(await cli('generate', '-i', sorted, '-m', meta, '-g', gw, '-o', sorted), sorted);
    expectRefused(await cli('generate', '-i', sorted, '-m', meta, '-g', gw, '-o', meta), meta);
    const hard = join(fx.dir.path, 'hard.psv');
    linkSync(sorted, hard);
    expectRefused(await cli('generate', '-i', sorted, '-m', meta, '-g', gw, '-o', hard), sorted);
    expect([sha(sorted), sha(meta)]).toEqual(before);
  });

  it('sort -i X -o X and render -i B -o B', async () => {
    const raw = join(fx.dir.path, 'raw.psv');
    copyFileSync(fixture('seq20', 'trace.psv'), raw);
    const before = sha(raw);
    expectRefused(await cli('sort', '-i', raw, '-o', raw), raw);
    expect(sha(raw)).toBe(before);
    const b = sha(fx.path);
    expectRefused(await cli('render', '-i', fx.path, '-t', 'dag', '-o', fx.path), fx.path);
    expect(sha(fx.path)).toBe(b);
  });
});

describe('a capture does not replace a bundle unasked', () => {
  it('misertrace capture -o EXISTING exits 2 before anything starts, and says --force', async () => {
    const before = sha(fx.path);
    const r = await cli('capture', '-n', 'no-such-network', '-o', fx.path);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/exists: a capture does not replace it unasked/);
    expect(r.stderr).toMatch(/--force/);
    expect(sha(fx.path)).toBe(before);
  });
});
