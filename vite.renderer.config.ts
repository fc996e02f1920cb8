import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { cspPlugin } from './vite-config/csp-plugin.ts';

// The renderer: React + zustand + d3, built from renderer/ into .vite/renderer/main_window (where
// Forge's Vite plugin and main.ts expect it). Also used as is by `npm run build:renderer` and
// the browser-mode e2e, which may pass another outDir.

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: resolve(root, 'renderer'),
  base: './',
  plugins: [react(), cspPlugin()],
  build: {
    outDir: resolve(root, '.vite/renderer/main_window'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome120',
    chunkSizeWarningLimit: 1500,
  },
  clearScreen: false,
});
