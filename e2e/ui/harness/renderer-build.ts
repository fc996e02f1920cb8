import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../../test/fixtures.js';

// The renderer as Vite builds it for the app, built once per content of its sources: every spec
// file (each in its own process) reuses the same output, and a changed source builds afresh.

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

export async function buildRenderer(): Promise<string> {
  const out = join(tmpdir(), `misertrace-renderer-${sourceHash()}`);
  if (existsSync(join(out, 'index.html'))) return out;
  // Build beside the target and rename: two spec processes building at once both succeed,
  // and a half-written build is never mistaken for a finished one.
  const temp = `${out}.partial-${process.pid}`;
  mkdirSync(temp, { recursive: true });
  try {
    const { build } = await import('vite');
    await build({ configFile: join(PROJECT_ROOT, 'vite.renderer.config.ts'), logLevel: 'warn', build: { outDir: temp, emptyOutDir: true, sourcemap: false } });
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
