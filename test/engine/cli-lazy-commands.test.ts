import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixture, PROJECT_ROOT } from '../fixtures.js';

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

/** The project's own modules (dist/, relative) that a fresh `misertrace argv` process loaded. */
function loadedModules(argv: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-'));
  try {
    const log = join(dir, 'loaded.txt');
    // A resolve hook (it runs on the loader's thread) notes every module the command loads.
    const hooks = `import { appendFileSync } from 'node:fs';
      export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const args = ['--import', `data:text/javascript,${encodeURIComponent(register)}`, join(PROJECT_ROOT, 'bin', 'misertrace.js'), ...argv.map((a) => a.replace('OUT', join(dir, 'out.mstrace')))];
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    const dist = pathToFileURL(join(PROJECT_ROOT, 'dist')).href + '/';
    return [...new Set(readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith(dist)).map((u) => u.slice(dist.length)))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('generate and bundle import load no reader of bundles (start-up, issue 13)', () => {
  const sorted = fixture('seq20', 'sorted.psv');
  const meta = fixture('seq20', 'meta.psv');

  it('generate of a sorted file writes its bundle without the bundle reader', () => {
    const loaded = loadedModules(['generate', '-i', sorted, '-m', meta, '-g', '172.29.77.1', '-o', 'OUT']);
    expect(loaded).toContain('engine/bundle/build-bundle.js');
    expect(loaded).not.toContain('engine/bundle/bundle-reader.js');
    expect(loaded).not.toContain('cli/commands/bundle-input.js');
  });

  it('bundle import loads neither the reader nor the export renderers nor bundle care', () => {
    const loaded = loadedModules(['bundle', 'import', '-i', fixture('seq20', 'trace.psv'), '-m', meta, '-g', '172.29.77.1', '-o', 'OUT']);
    expect(loaded).toContain('engine/bundle/build-bundle.js');
    for (const m of ['engine/bundle/bundle-reader.js', 'engine/render/dag-render.js', 'cli/commands/bundle-export.js', 'cli/commands/bundle-care.js']) expect(loaded).not.toContain(m);
  });
});
