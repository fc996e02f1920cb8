import { chmodSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { fixture } from '../fixtures.js';
import { cli } from './cli-harness.js';

// Bad input gets one clear message with a hint, a non-zero exit, no stack trace, and leaves no
// output file behind (not even a partial one).

const fx = fixtureBundleForFile('seq20');
const META = fixture('seq20', 'meta.psv');
const GW = readFileSync(fixture('seq20', 'gateway.txt'), 'utf8').trim();

function write(name: string, content: string | Buffer): string {
  const p = join(fx.dir.path, name);
  writeFileSync(p, content);
  return p;
}

function expectCleanFailure(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toMatch(/^misertrace: error: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/hint: /);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

function leftovers(prefix: string): string[] {
  return readdirSync(fx.dir.path).filter((f) => f.includes(prefix));
}

/** The seq20 capture with line `n` (1-based) replaced. */
function traceWithLine(n: number, text: string): string {
  const lines = readFileSync(fixture('seq20', 'trace.psv'), 'utf8').split('\n');
  lines[n - 1] = text;
  return lines.join('\n');
}

describe('bad input to sort', () => {
  it('an empty file', async () => {
    const r = await cli('sort', '-i', write('empty.psv', ''), '-o', join(fx.dir.path, 'out-empty.psv'));
    expectCleanFailure(r, /is empty/);
    expect(leftovers('out-empty')).toEqual([]);
  });

  it('binary garbage', async () => {
    const r = await cli('sort', '-i', write('garbage.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe])), '-o', join(fx.dir.path, 'out-bin.psv'));
    expectCleanFailure(r, /not a text trace \(binary data at byte 4\)/);
    expect(leftovers('out-bin')).toEqual([]);
  });

  it('a cut line stops with its line number and text; --lenient skips and counts it', async () => {
    const input = write('cut.psv', traceWithLine(500, '"node"|"16026"|"6378'));
    const r = await cli('sort', '-i', input, '-o', join(fx.dir.path, 'out-cut.psv'));
    expectCleanFailure(r, /cut\.psv:500: malformed line \(fewer than 5 fields.*"\\"node\\"\|\\"16026\\"\|\\"6378"/);
    expect(leftovers('out-cut')).toEqual([]);
    const ok = await cli('sort', '-i', input, '-o', join(fx.dir.path, 'out-cut.psv'), '--lenient');
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.stderr).toMatch(/skipped 1 malformed lines/);
    expect(readFileSync(join(fx.dir.path, 'out-cut.psv'), 'utf8').trim().split('\n')).toHaveLength(10953 - 1);
  });

  it('an interleaved line', async () => {
    const input = write('inter.psv', traceWithLine(800, '"node"|"160"node"|"16026"|"637619005499"|"1"|"MT:tracepoint:syscalls:sys_exit_read"26"|"637619005499"|"1"|"MT:x"'));
    const r = await cli('sort', '-i', input, '-o', join(fx.dir.path, 'out-inter.psv'));
    expectCleanFailure(r, /inter\.psv:800: malformed line/);
    expect(leftovers('out-inter')).toEqual([]);
  });

  it('a missing input file', async () => {
    expectCleanFailure(await cli('sort', '-i', join(fx.dir.path, 'nope.psv'), '-o', join(fx.dir.path, 'x.psv')), /nope\.psv: no such file/);
  });

  it('an output directory that cannot be written', async () => {
    const ro = join(fx.dir.path, 'ro');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const r = await cli('sort', '-i', fixture('seq20', 'trace.psv'), '-o', join(ro, 'sorted.psv'));
    chmodSync(ro, 0o700);
    // root ignores directory permissions; then the write succeeds, which is also correct.
    if (process.getuid?.() === 0) expect(r.code).toBe(EXIT.ok);
    else expectCleanFailure(r, /permission denied/);
  });

  it('an unknown flag and a missing flag', async () => {
    expectCleanFailure(await cli('sort', '--frobnicate'), /Unknown option '--frobnicate'/);
    expectCleanFailure(await cli('sort', '-i', 'x'), /missing -o OUTPUT/);
  });
});

describe('bad input to generate', () => {
  it('unsorted input stops with a hint to sort; --lenient skips and counts', async () => {
    const out = join(fx.dir.path, 'unsorted.mstrace');
    const r = await cli('generate', '-i', fixture('seq20', 'trace.psv'), '-m', META, '-g', GW, '-o', out);
    expectCleanFailure(r, /input is not sorted by time/);
    expect(r.stderr).toMatch(/misertrace sort -i/);
    expect(leftovers('unsorted.mstrace')).toEqual([]);
    const ok = await cli('generate', '-i', fixture('seq20', 'trace.psv'), '-m', META, '-g', GW, '-o', out, '--lenient');
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.stderr).toMatch(/\d+ unsorted-record/);
  });

  it('a meta file with the wrong column count', async () => {
    const bad = write('bad-meta.psv', '16097|oracle-inventory|172.29.77.12|17d7|extra\n');
    const r = await cli('generate', '-i', fixture('seq20', 'sorted.psv'), '-m', bad, '-g', GW, '-o', join(fx.dir.path, 'm.mstrace'));
    expectCleanFailure(r, /bad-meta\.psv line 1 has 5 columns, expected 4/);
    expect(leftovers('m.mstrace')).toEqual([]);
  });

  it('a gateway that is not an IPv4 address', async () => {
    for (const gw of ['172.29.77', 'fe80::1', '300.1.1.1', 'gateway']) {
      const r = await cli('generate', '-i', fixture('seq20', 'sorted.psv'), '-m', META, '-g', gw, '-o', join(fx.dir.path, 'g.mstrace'));
      expectCleanFailure(r, /is not an IPv4 address/);
    }
    expect(leftovers('g.mstrace')).toEqual([]);
  });
});

describe('bad input to render', () => {
  it('a range outside the traces', async () => {
    expectCleanFailure(await cli('render', '-i', fx.path, '-t', 'dag', '-n', '18-25'), /range 18-25 is outside the traces \(1-20\)/);
    expectCleanFailure(await cli('render', '-i', fx.path, '-t', 'dag', '-n', '0'), /outside the traces/);
    expectCleanFailure(await cli('render', '-i', fx.path, '-t', 'dag', '-n', '4-2'), /runs backwards/);
    expectCleanFailure(await cli('render', '-i', fx.path, '-t', 'dag', '-n', 'a-b'), /is not a trace range/);
  });

  it('a file that is not a bundle, and a truncated bundle', async () => {
    expectCleanFailure(await cli('render', '-i', fixture('seq20', 'sorted.psv'), '-t', 'dag'), /is not a MiSeRTrace bundle/);
    const cut = join(fx.dir.path, 'cut.mstrace');
    copyFileSync(fx.path, cut);
    const data = readFileSync(cut);
    writeFileSync(cut, data.subarray(0, Math.floor(data.length / 2)));
    expectCleanFailure(await cli('render', '-i', cut, '-t', 'dag'), /is truncated/);
  });

  it('an unknown render type', async () => {
    expectCleanFailure(await cli('render', '-i', fx.path, '-t', 'pie'), /unknown render type "pie"/);
  });
});
