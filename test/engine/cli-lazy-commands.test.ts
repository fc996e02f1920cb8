import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../fixtures.js';

// Start-up is what users feel on every command: `misertrace --help` must not load Docker's
// client, node-pty or SQLite, and `render` must not load what only capture needs. Checked in a
// fresh process (needs `npm run build`): which CommonJS packages ended up loaded.

const MAIN = pathToFileURL(join(PROJECT_ROOT, 'dist', 'cli', 'main.js')).href;

function loadedPackages(argv: string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    import { PassThrough } from 'node:stream';
    const { runCli } = await import(${JSON.stringify(MAIN)});
    const sink = new PassThrough(); sink.resume();
    await runCli(${JSON.stringify(argv)}, { stdout: sink, stderr: sink, signal: new AbortController().signal });
    const names = new Set(Object.keys(createRequire(import.meta.url).cache).map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names]));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
}

describe('command modules load only when their command runs', () => {
  it('--help loads no command', () => {
    expect(loadedPackages(['--help'])).toEqual([]);
  });

  it('render loads SQLite but not Docker or node-pty', () => {
    const loaded = loadedPackages(['render', '-i', join(PROJECT_ROOT, 'samples', 'seq20.mstrace'), '-t', 'dag', '-n', '1']);
    expect(loaded).toContain('better-sqlite3');
    expect(loaded).not.toContain('dockerode');
    expect(loaded).not.toContain('node-pty');
  });
});
