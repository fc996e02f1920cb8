import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { fixture } from '../fixtures.js';
import { cli, spawnCli } from './cli-harness.js';

const fx = fixtureBundleForFile('mixed50');

describe('misertrace command line', () => {
  it('lists its commands and exit codes; every command has --help', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(EXIT.ok);
    for (const c of ['sort', 'generate', 'render', 'bundle']) {
      expect(h.stdout).toMatch(new RegExp(`\\n  ${c} `));
      const ch = await cli(c, '--help');
      expect(ch.code).toBe(EXIT.ok);
      expect(ch.stdout).toMatch(new RegExp(`^usage: misertrace ${c} `));
    }
    expect(h.stdout).toMatch(/exit codes: 0 ok/);
    expect((await cli()).code).toBe(EXIT.usage);
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('render -t dag -r -f prints the original raw JSON shape; without -f the compact form', async () => {
    const f = await cli('render', '-i', fx.path, '-t', 'dag', '-r', '-f', '-n', '1-4,6');
    const ref = JSON.parse(readFileSync(fixture('mixed50', 'dag.json'), 'utf8')) as Record<string, unknown>;
    const ours = JSON.parse(f.stdout) as Record<string, { TraceID: number }>;
    expect(Object.keys(ours)).toEqual(['1', '2', '3', '4', '6']);
    expect(ours['6']!.TraceID).toBe((ref['6'] as { TraceID: number }).TraceID);
    expect(f.stdout).toMatch(/^\{\n {4}"1": \{\n {8}"TraceID": 1,/);
    const c = await cli('render', '-i', fx.path, '-t', 'dag', '-r', '-n', '2');
    expect(c.stdout).toMatch(/^\{"2": \{"TraceID": 2, "ThreadState": \{"State": "NetworkThreadState", "PID": \d+/);
    expect(JSON.parse(c.stdout)).toEqual(JSON.parse((await cli('render', '-i', fx.path, '-t', 'dag', '-r', '-f', '-n', '2')).stdout));
  });

  it('render -t dag prints the text tree, coloured with -c, to a file with -o', async () => {
    const plain = await cli('render', '-i', fx.path, '-t', 'dag', '-n', '3');
    expect(plain.stdout.split('\n')[0]).toMatch(/^3 oracle-frontend with PID \d+ at timestamp \d+ for a duration of \d+ ns$/);
    const col = await cli('render', '-i', fx.path, '-t', 'dag', '-n', '3', '-c');
    expect(col.stdout).toContain('\x1b[32mNetworkThreadState\x1b[0m');
    expect(col.stdout.replace(/\x1b\[\d+m/g, '')).toBe(plain.stdout);
    const out = `${fx.dir.path}/tree.txt`;
    expect((await cli('render', '-i', fx.path, '-t', 'dag', '-n', '3', '-o', out)).stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(plain.stdout);
  });

  it('the installed bin runs the same code and exits with its codes', async () => {
    const ok = await spawnCli(['render', '-i', fx.path, '-t', 'dag', '-n', '1']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^1 oracle-frontend/);
    const bad = await spawnCli(['render', '-i', fx.path, '-t', 'dag', '-n', '99']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toBe('misertrace: error: range 99 is outside the traces (1-50)\n  hint: choose ids between 1 and 50\n');
  });
});
