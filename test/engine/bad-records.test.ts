import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture } from '../fixtures.js';
import { cli } from './cli-harness.js';

// Two bad inputs that passed silently (issue 16 item 10), found by a corpus of damaged copies of a
// fixture: a record whose head was cut and glued to the next record (it became a record of a probe
// no backend makes), and a model record whose details lack the fields the model needs. Without
// --lenient both stop the command with the line number; with it they are skipped and counted.

let dir: TempDir;
const META = fixture('seq20', 'meta.psv');
const GW = readFileSync(fixture('seq20', 'gateway.txt'), 'utf8').trim();
const LINES = readFileSync(fixture('seq20', 'trace.psv'), 'utf8').split('\n');

beforeAll(() => (dir = tempDir()));
afterAll(() => dir.remove());

function variant(name: string, edit: (lines: string[]) => void): string {
  const lines = [...LINES];
  edit(lines);
  const p = join(dir.path, name);
  writeFileSync(p, lines.join('\n'));
  return p;
}

function lineWith(part: string, path: string): number {
  return readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes(part)) + 1;
}

describe('a record head glued to the next record', () => {
  // Line 53 cut inside its probe name, the next line appended: probe "MT:tcsed"-like garbage.
  const glue = (lines: string[]) => {
    const i = 52;
    const head = lines[i]!.slice(0, lines[i]!.indexOf('MT:') + 5);
    lines.splice(i, 2, head + lines[i + 1]!);
  };

  it('sort stops at its line, naming the probe; --lenient skips and counts it', async () => {
    const input = variant('glued.psv', glue);
    const r = await cli('sort', '-i', input, '-o', join(dir.path, 'glued.sorted.psv'));
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(new RegExp(`glued\\.psv:53: malformed line \\(probe ".*" is not a probe name\\)`));
    expect(existsSync(join(dir.path, 'glued.sorted.psv'))).toBe(false);
    const l = await cli('sort', '-i', input, '-o', join(dir.path, 'glued.sorted.psv'), '--lenient');
    expect(l.code).toBe(EXIT.ok);
    expect(l.stderr).toMatch(/1 malformed/);
  });

  it('the original tool\'s bare form too: a probe "tracesed" is not a record', async () => {
    const bare = (lines: string[]) => {
      lines[52] = 'node|16026|637622080265|1|tracesed|16026|637622080266|1|MT:tcp_send|sport=1 dport=2 saddr=1.2.3.4 daddr=5.6.7.8';
    };
    const r = await cli('sort', '-i', variant('bare.psv', bare), '-o', join(dir.path, 'bare.sorted.psv'));
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/bare\.psv:53: malformed line \(probe "tracesed" is not a probe name\)/);
  });
});

describe('a model record without the fields the model needs', () => {
  it('generate stops with the line of the sorted input; --lenient skips and counts it', async () => {
    const input = variant('nodetails.psv', (lines) => {
      lines[52] = lines[52]!.replace(/\|"sport=[^"]*"$/, '|"sport=33766"');
    });
    const sorted = join(dir.path, 'nodetails.sorted.psv');
    expect((await cli('sort', '-i', input, '-o', sorted)).code).toBe(EXIT.ok);
    const at = lineWith('637622080265', sorted);
    expect(at).toBeGreaterThan(0);
    const out = join(dir.path, 'nodetails.mstrace');
    const r = await cli('generate', '-i', sorted, '-m', META, '-g', GW, '-o', out);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`${sorted}:${at}: tcp_send without saddr/sport/daddr/dport`);
    expect(r.stderr).toMatch(/--lenient/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Generating again from the bundle's records is held to the same rule.
    if (existsSync(out)) {
      const again = await cli('generate', '-i', out);
      expect(again.code).toBe(EXIT.usage);
      expect(again.stderr).toMatch(/tcp_send without saddr\/sport/);
    }
    const l = await cli('generate', '-i', sorted, '-m', META, '-g', GW, '-o', join(dir.path, 'nodetails-lenient.mstrace'), '--lenient');
    expect(l.code).toBe(EXIT.ok);
    expect(l.stderr).toMatch(/\s1 bad-details: a model record whose details lack the fields/);
  });
});
