import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeTraceJson } from '../../engine/export/chrome-trace.js';
import { jaegerJson } from '../../engine/export/jaeger.js';
import { otlpJson } from '../../engine/export/otlp.js';
import { parseGateway, parseMeta } from '../../engine/model/meta.js';
import { buildBundle } from '../../engine/bundle/build-bundle.js';
import { sortTraceFile } from '../../engine/records/sort.js';
import { cli, spawnCli } from '../engine/cli-harness.js';
import { openFixture, type OpenFixture } from '../figure/fixture-traces.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture, PROJECT_ROOT } from '../fixtures.js';

// `misertrace export`: the same files as the library functions, options that reach the figure,
// and user errors that say what to do (exit 2), never a half-written file.

let seq20: OpenFixture;
let mixed50: OpenFixture;
let out: TempDir;
beforeAll(async () => {
  [seq20, mixed50] = await Promise.all([openFixture('seq20', 'original'), openFixture('mixed50', 'original')]);
  out = tempDir('misertrace-export-');
});
afterAll(() => {
  seq20?.close();
  mixed50?.close();
  out?.remove();
});

/** The figure without its <metadata> (bundle hash and command: test/figure/figure-source.test.ts), as the references were drawn. */
function withoutSource(svg: string): string {
  return svg.replace(/<metadata id="misertrace-source">.*<\/metadata>\n/, '');
}

describe('misertrace export', () => {
  it('writes the reference figure from the command line', async () => {
    const file = join(out.path, 'fig.svg');
    const r = await cli(
      'export',
      '-i',
      seq20.path,
      '-n',
      '1',
      '--format',
      'svg',
      '--title',
      'A /checkout request across four containers',
      '--caption',
      'One bar per thread state on a shared time axis, in tree order, labelled with the kernel thread id, the container and the events counted in the state. Arrows: requests and forks (to the child’s start), responses and exits (from the child’s end).',
      '-o',
      file,
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(withoutSource(readFileSync(file, 'utf8'))).toBe(readFileSync(join(PROJECT_ROOT, 'test/figure/reference/seq20-trace1.svg'), 'utf8'));
  });

  it('passes the figure options through', async () => {
    const r = await cli(
      'export', '-i', mixed50.path, '-n', '2,3', '--format', 'svg', '--greyscale', '--width', '7in', '--shared-scale',
      '--counts', 'sched_migrate_task=Migr.', '--rename', 'oracle-frontend=Frontend,oracle-catalog=Catalog,oracle-inventory=Inventory,oracle-kvstore=KV store',
    );
    expect(r.code).toBe(0);
    expect(withoutSource(r.stdout)).toBe(readFileSync(join(PROJECT_ROOT, 'test/figure/reference/mixed50-traces2-3-greyscale.svg'), 'utf8'));
    const w = await cli('export', '-i', seq20.path, '-n', '1', '--format', 'svg', '--window', '5ms..15ms', '--label', 'tid,duration', '--collapse', '2', '--arrows', 'requests', '--no-tooltips');
    expect(w.code).toBe(0);
    expect(w.stdout).not.toContain('<title>network thread state');
    expect(w.stdout).toMatch(/\(\+\d+ hidden\)/);
    expect(w.stdout).toMatch(/<tspan[^>]*>\d+(\.\d+)? ms<\/tspan>/);
    // Response arrows are the dashed group of paths; the default figure has them, this one not.
    const responses = /stroke-dasharray="4 2">\n<path/;
    expect(w.stdout).not.toMatch(responses);
    expect(readFileSync(join(PROJECT_ROOT, 'test/figure/reference/seq20-trace1.svg'), 'utf8')).toMatch(responses);
    expect(readFileSync(join(PROJECT_ROOT, 'test/figure/reference/seq20-trace1.svg'), 'utf8')).toContain('<title>network thread state');
  });

  it('warns when a narrow figure shortens labels', async () => {
    const r = await cli('export', '-i', seq20.path, '-n', '1', '--format', 'svg', '--width', '3in');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^misertrace: warning: \d+ labels were shortened to fit 288 px/);
    expect(r.stdout).toContain('…</tspan>');
  });

  it('writes the interchange formats exactly as the library does', async () => {
    const traces = seq20.traces([1, 2, 3]);
    const input = {
      traces,
      base: seq20.bundle.base,
      containerIds: Object.fromEntries(seq20.bundle.meta().map((m) => [m.container, m.containerId])),
      source: 'seq20.mstrace',
    };
    const expectedText = { chrome: chromeTraceJson(input), jaeger: jaegerJson(input), otlp: otlpJson(input) };
    for (const format of ['chrome', 'jaeger', 'otlp'] as const) {
      const r = await cli('export', '-i', seq20.path, '-n', '1-3', '--format', format);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(expectedText[format]);
    }
    const all = await cli('export', '-i', seq20.path, '--format', 'jaeger', '--pretty');
    expect((JSON.parse(all.stdout) as { data: unknown[] }).data).toHaveLength(seq20.bundle.traceCount);
    expect(all.stdout.startsWith('{\n  "data": [\n')).toBe(true);
  });

  it('puts the capture on the wall clock when its start date is known', async () => {
    const sorted = join(out.path, 'seq20.sorted.psv');
    await sortTraceFile(fixture('seq20', 'trace.psv'), sorted);
    const dated = join(out.path, 'dated.mstrace');
    const startedAt = '2026-11-26T07:55:00.125Z';
    await buildBundle({
      sortedPath: sorted,
      meta: parseMeta(readFileSync(fixture('seq20', 'meta.psv'), 'utf8')),
      gateway: parseGateway(readFileSync(fixture('seq20', 'gateway.txt'), 'utf8')),
      output: dated,
      capture: { backend: 'bpftrace', network: 'oracle', startedAt },
    });
    const r = await cli('export', '-i', dated, '-n', '1', '--format', 'otlp', '--clock', 'wall');
    expect(r.code, r.stderr).toBe(0);
    const span = JSON.parse(r.stdout).resourceSpans[0].scopeSpans[0].spans[0];
    const b = seq20.bundle;
    const sinceFirst = b.base.abs(b.trace(1)!.spans[0]!.start) - b.base.abs(b.manifest.firstTs);
    expect(BigInt(span.startTimeUnixNano)).toBe(BigInt(Date.parse(startedAt)) * 1_000_000n + sinceFirst);
    expect(new Date(Number(BigInt(span.startTimeUnixNano) / 1_000_000n)).toISOString().slice(0, 16)).toBe('2026-11-26T07:55');
  });

  it.each([
    [['--format', 'svg'], /the bundle holds 50 traces: choose which to draw/, /-n 3 for one trace/],
    [['--format', 'gif', '-n', '1'], /unknown format "gif"/, /--format svg, pdf, png, chrome, jaeger, otlp/],
    [['--format', 'otlp', '--title', 'x'], /--title applies to figures only/, /use --format svg, pdf or png/],
    [['--format', 'svg', '-n', '1', '--dpi', '300'], /--dpi applies to --format png only/, null],
    [['--format', 'svg', '-n', '1', '--counts', 'sched_wakeup'], /no probe named "sched_wakeup"/, /probes: .*sched_migrate_task/],
    [['--format', 'svg', '-n', '1', '--width', 'wide'], /--width "wide" is not a length/, /7in/],
    [['--format', 'svg', '-n', '3', '--collapse', '7'], /--collapse 7: trace 3 has 3 spans/, null],
    [['--format', 'svg', '-n', '1', '--window', '9ms..2ms'], /ends before it starts/, null],
    [['--format', 'jaeger', '--clock', 'wall'], /does not record when its capture started/, /--clock monotonic/],
    [['--format', 'svg', '-n', '51'], /range 51 is outside the traces \(1-50\)/, /between 1 and 50/],
    [['--format', 'svg', '-n', '1-20', '--height', '300'], /a height of 300 px leaves -?\d+ px for \d+ rows/, /leave the height out/],
    [['--format', 'svg', '-n', '1', '--window', '40ms..50ms'], /no span of trace 1 falls in the time window/, /trace 1 lasts 26.01 ms/],
    [['--format', 'svg', '-n', '1', '--window', '30ms..'], /the window ends before it starts in trace 1/, /trace 1 lasts/],
  ])('refuses %j with a hint', async (args, message, hint) => {
    const file = join(out.path, 'never.out');
    const r = await cli('export', '-i', mixed50.path, ...args, '-o', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    if (hint) expect(r.stderr).toMatch(new RegExp(`hint: .*${hint.source}`));
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(out.path).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('is listed by the installed command, with its help', async () => {
    const help = await spawnCli(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: misertrace export -i BUNDLE --format svg|pdf|png|chrome|jaeger|otlp');
    const main = await spawnCli(['--help']);
    expect(main.stdout).toMatch(/\n {2}export +Export traces as an SVG figure/);
  });
});
