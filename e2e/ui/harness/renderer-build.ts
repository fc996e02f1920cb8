import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../../test/fixtures.js';

// The renderer as Vite builds it for the app, built once per content of its sources and per mode:
// every spec file (each in its own process) reuses the same output, a changed source builds
// afresh, and a development build (MISERTRACE_RENDERER_MODE=development: React's checks, strict
// mode's double effects) never stands in for the production one, or the other way round.

const SOURCES = ['renderer', 'engine/figure', 'engine/model', 'engine/export', 'electron/ipc-contract.ts', 'electron/ipc-capture-types.ts', 'vite.renderer.config.ts', 'vite-config'];

function listFiles(p: string, out: string[]): void {
  const st = statSync(p);
  if (st.isDirectory()) for (const n of readdirSync(p).sort()) listFiles(join(p, n), out);
  else out.push(p);
}

function sourceHash(): string {
  const h = createHash('sha256');
  const files: string[] = [];
  for (const s of SOURCES) if (existsSync(join(PROJECT_ROOT, s))) listFiles(join(PROJECT_ROOT, s), files);
  for (const f of files) {
    h.update(relative(PROJECT_ROOT, f));
    h.update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

export type RendererMode = 'production' | 'development';

export function rendererMode(): RendererMode {
  return process.env['MISERTRACE_RENDERER_MODE'] === 'development' ? 'development' : 'production';
}

/** Where a build of these sources in this mode lives (one folder per mode and content). */
export function rendererBuildDir(mode: RendererMode = rendererMode()): string {
  return join(tmpdir(), `misertrace-renderer-${mode}-${sourceHash()}`);
}

export async function buildRenderer(mode: RendererMode = rendererMode()): Promise<string> {
  const out = rendererBuildDir(mode);
  if (existsSync(join(out, 'index.html'))) return out;
  // Build beside the target and rename: two spec processes building at once both succeed,
  // and a half-written build is never mistaken for a finished one.
  const temp = `${out}.partial-${process.pid}`;
  mkdirSync(temp, { recursive: true });
  try {
    const { build } = await import('vite');
    // Vite and the React plugin choose React's build from NODE_ENV (vitest sets it to 'test',
    // which gave a development build): set it to the mode for the build, then put it back.
    const before = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = mode;
    try {
      await build({ configFile: join(PROJECT_ROOT, 'vite.renderer.config.ts'), mode, logLevel: 'warn', build: { outDir: temp, emptyOutDir: true, sourcemap: false, minify: mode === 'production' } });
    } finally {
      if (before === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = before;
    }
    try {
      renameSync(temp, out);
    } catch (e) {
      if (!existsSync(join(out, 'index.html'))) throw e; // another process won the race: fine
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return out;
}
