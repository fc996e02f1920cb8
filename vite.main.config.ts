import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { nodeExternals } from './vite-config/node-externals.ts';

// Electron's main process: electron/main.ts and everything it imports (app services, capture
// services, engine) as ES modules in .vite/build/ (main.js, engine-worker.js). Used by Forge's Vite plugin
// (`npm start`) and by `npm run build:app` for packaging.

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  build: {
    outDir: resolve(root, '.vite/build'),
    emptyOutDir: false,
    target: 'node20',
    sourcemap: true,
    minify: false,
    copyPublicDir: false,
    // The engine worker beside main.js: engine-client.ts starts ./engine-worker.js from its own
    // (bundled) location, so bundle queries, exports and capture bundles run off main (docs/adr/0055).
    lib: {
      // The sorter's thread beside them too: sort-threads.ts starts ./sort-worker.js (docs/adr/0115).
      entry: {
        main: resolve(root, 'electron/main.ts'),
        'engine-worker': resolve(root, 'engine/worker/engine-worker.ts'),
        'sort-worker': resolve(root, 'engine/records/sort-worker.ts'),
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: { external: nodeExternals(root) },
  },
  resolve: { conditions: ['node'], mainFields: ['module', 'jsnext:main', 'jsnext'] },
  clearScreen: false,
});
