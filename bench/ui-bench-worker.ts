import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../test/fixtures.js';

// The engine worker as the app ships it: Vite's build of engine/worker/engine-worker.ts with the
// app's main config (vite.main.config.ts: one ES module, dependencies left to node_modules), into
// .vite/ui-bench/ inside the project so that its bare imports (better-sqlite3) resolve. bench:ui
// used to start the tsx development entry, whose TypeScript transform made a cold open ~1.1 s
// that no user sees.

export async function buildShippedWorker(): Promise<URL> {
  const outDir = join(PROJECT_ROOT, '.vite', 'ui-bench');
  const { build } = await import('vite');
  await build({
    configFile: join(PROJECT_ROOT, 'vite.main.config.ts'),
    logLevel: 'warn',
    // The config's lib entries are main and the worker; main is built too (cheap) and left unused.
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  const entry = join(outDir, 'engine-worker.js');
  if (!existsSync(entry)) throw new Error(`Vite did not write ${entry}`);
  return pathToFileURL(entry);
}
