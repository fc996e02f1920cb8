import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { nodeExternals } from './vite-config/node-externals.ts';

// Electron's main process: electron/main.ts and everything it imports (app services, capture
// services, engine) as one ES module in .vite/build/main.js. Used by Forge's Vite plugin
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
    lib: { entry: resolve(root, 'electron/main.ts'), formats: ['es'], fileName: () => 'main.js' },
    rollupOptions: { external: nodeExternals(root) },
  },
  resolve: { conditions: ['node'], mainFields: ['module', 'jsnext:main', 'jsnext'] },
  clearScreen: false,
});
