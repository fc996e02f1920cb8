import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsFlag, figureCommand, shellQuote, shellWords } from '../../engine/figure/figure-command.js';
import { TOTAL_COUNT_PROBE } from '../../engine/figure/layout-types.js';
import { BIN, cli } from '../engine/cli-harness.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';

// The SVG names its bundle (file name, SHA-256) and the `misertrace export` command that
// regenerates it; running that command, as stored, writes the same bytes (docs/adr/0095).
// The regeneration runs the built bin (`npm run build`) in the bundle's folder, as a reader of
// the paper would.

let out: TempDir;
let bundle: string;
beforeAll(async () => {
  out = tempDir('misertrace-figure-source-');
  bundle = await buildFixtureBundle('mixed50', out.path);
});
afterAll(() => out?.remove());

function source(svg: string): { bundle: string; sha256: string; command: string } {
  const m = /<metadata id="misertrace-source"><mt:source xmlns:mt="[^"]+"><mt:bundle sha256="([0-9a-f]{64})">([^<]*)<\/mt:bundle><mt:command>([^<]*)<\/mt:command><\/mt:source><\/metadata>/.exec(svg);
  if (!m) throw new Error('no source metadata in the figure');
  const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return { sha256: m[1]!, bundle: unxml(m[2]!), command: unxml(m[3]!) };
}

/** Runs a stored command with the built bin in `cwd`, adding `-o FILE`. */
function runStored(command: string, cwd: string, output: string): Promise<{ code: number; stderr: string }> {
  const words = shellWords(command);
  expect(words.slice(0, 2)).toEqual(['misertrace', 'export']);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...words.slice(1), '-o', output], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe('figure source metadata', () => {
  it('names the bundle by file name and SHA-256, and its command regenerates the SVG byte for byte', async () => {
    const first = join(out.path, 'first.svg');
    const r = await cli(
      'export', '-i', bundle, '-n', '4', '--format', 'svg', '-o', first,
      '--width', '241pt', '--font-size', '8pt', '--title', "Bob's checkout", '--caption', 'Line one\nline two & <more>',
      '--rename', 'oracle-frontend=Frontend,oracle-catalog=Catalog', '--counts', 'total', '--collapse', '2', '--window', '1ms..', '--greyscale',
    );
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(first, 'utf8');
    const src = source(svg);
    expect(src.bundle).toBe('mixed50.mstrace');
    expect(src.sha256).toBe(createHash('sha256').update(readFileSync(bundle)).digest('hex'));
    expect(src.command).toBe(
      "misertrace export -i mixed50.mstrace -n 4 --format svg --width 241pt --font-size 8pt --title 'Bob'\\''s checkout' --caption 'Line one\nline two & <more>' --greyscale --counts total --rename oracle-frontend=Frontend,oracle-catalog=Catalog --window 1ms.. --collapse 2",
    );
    expect(svg).not.toContain(out.path); // no folder of the author's in a paper's figure
    const again = join(out.path, 'again.svg');
    const rerun = await runStored(src.command, dirname(bundle), again);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(svg);
  });

  it('stores the same command however the counts were asked for, and leaves the default out', async () => {
    const a = await cli('export', '-i', bundle, '-n', '1', '--format', 'svg');
    const b = await cli('export', '-i', bundle, '-n', '1', '--format', 'svg', '--counts', 'user');
    expect(a.code, a.stderr).toBe(0);
    expect(source(a.stdout).command).toBe('misertrace export -i mixed50.mstrace -n 1 --format svg');
    expect(b.stdout).toBe(a.stdout);
    const none = await cli('export', '-i', bundle, '-n', '1', '--format', 'svg', '--counts', '');
    expect(source(none.stdout).command).toBe('misertrace export -i mixed50.mstrace -n 1 --format svg --counts none');
  });

  it('quotes for a POSIX shell and reads its own quoting back', () => {
    for (const s of ['plain', "it's", 'a b', '', 'x\ny', '$HOME', 'a"b', '--x']) expect(shellWords(`cmd ${shellQuote(s)}`)).toEqual(['cmd', s]);
    expect(figureCommand({ bundleFileName: 'my bundle.mstrace', range: '1-3', flags: { title: '-dash', greyscale: true } })).toBe(
      "misertrace export -i 'my bundle.mstrace' -n 1-3 --format svg --title=-dash --greyscale",
    );
    const counts = [{ total: 3, byProbe: { 'tracepoint:sched:sched_migrate_task': 1, 'MT:sock_send': 2 } }];
    expect(countsFlag(undefined, counts)).toBeUndefined();
    expect(countsFlag([{ probe: 'tracepoint:sched:sched_migrate_task', label: 'Migrations' }], counts)).toBeUndefined();
    expect(countsFlag([{ probe: TOTAL_COUNT_PROBE, label: 'Events' }, { probe: 'tracepoint:sched:sched_migrate_task', label: 'Moves' }], counts)).toBe('total,tracepoint:sched:sched_migrate_task=Moves');
    expect(countsFlag([], counts)).toBe('none');
  });
});
