import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The preload: sandboxed, so one self-contained CommonJS file that requires only 'electron'.

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  build: {
    outDir: resolve(root, '.vite/build'),
    emptyOutDir: false,
    target: 'chrome120',
    sourcemap: true,
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      input: resolve(root, 'electron/preload.ts'),
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: 'preload.cjs', codeSplitting: false },
    },
  },
  clearScreen: false,
});
