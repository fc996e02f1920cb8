#!/usr/bin/env node
// Enforces the layers of docs/architecture.md by scanning import specifiers. CI runs it.
// Each folder says what it MAY import (an allow-list, as VS Code's code-layering rule and
// Perfetto's tools/check_imports do); anything else is a violation. No exceptions by file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

// Browser-safe engine parts: the renderer uses them, so they use no Node module.
const BROWSER_SAFE = ['engine/model/', 'engine/render/', 'engine/figure/', 'engine/export/', 'engine/handlers/', 'engine/analysis/', 'engine/version.ts'];
const NODE_MODULE = /^(node:|fs$|path$|os$|child_process$|worker_threads$|better-sqlite3$|dockerode$|node-pty$|ssh2$|tsx)/;
const ELECTRON = /^electron(\/|$)/;
const UI_MODULE = /^(react|react-dom|zustand|d3)(\/|$)/;

// Longest matching prefix wins. `may`: folders/files (prefixes) a relative import may reach;
// `typeOnly`: reachable with `import type` only; `modules(spec)`: false forbids a package.
const LAYERS = [
  { dir: 'renderer/', may: ['renderer/', ...BROWSER_SAFE], typeOnly: ['electron/ipc-'], modules: (s) => !NODE_MODULE.test(s) && !ELECTRON.test(s),
    why: 'the renderer reaches the outside only through the preload API: `import type` from electron/ipc-*, browser-safe engine parts' },
  { dir: 'electron/', may: ['electron/', 'capture/', 'engine/'], modules: (s) => !UI_MODULE.test(s),
    why: 'electron/ is a host: it wires capture/ and the engine to IPC' },
  { dir: 'cli/', may: ['cli/', 'capture/', 'engine/'], modules: (s) => !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'cli/ is a host over capture/ and engine/, without Electron or UI' },
  { dir: 'capture/', may: ['capture/', 'engine/'], modules: (s) => !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'capture/ is Node only (dockerode, node-pty, tracefs) and below the hosts: no Electron, no cli/ or electron/' },
  { dir: 'engine/records/', may: ['engine/records/', ...BROWSER_SAFE], modules: (s) => !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'engine/records (scan, sort, columns) sits below bundles and the worker' },
  { dir: 'engine/bundle/', may: ['engine/bundle/', 'engine/records/', ...BROWSER_SAFE], modules: (s) => !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'engine/bundle reads and writes bundles over records: not the worker or the hosts' },
  { dir: 'engine/worker/', may: ['engine/'], modules: (s) => !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'the engine worker runs engine jobs only' },
  { dir: 'engine/handlers/handler-loader.ts', may: [...BROWSER_SAFE], modules: (s) => !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'the handler loader (Node: it imports user modules) uses the browser-safe engine parts only' },
  ...BROWSER_SAFE.map((dir) => ({ dir, may: BROWSER_SAFE, modules: (s) => !NODE_MODULE.test(s) && !ELECTRON.test(s) && !UI_MODULE.test(s),
    why: 'browser-safe engine parts (model, render, figure, export, handlers) are used by the renderer: no Node modules, nothing above them' })),
  { dir: 'bench/', may: ['bench/', 'engine/', 'capture/', 'cli/', 'electron/', 'e2e/', 'test/'], modules: (s) => !ELECTRON.test(s),
    why: 'benchmarks sit on top: they drive every layer as a user would, and the e2e harness' },
];

function layerOf(file) {
  let best = null;
  for (const l of LAYERS) if (file.startsWith(l.dir) && (best === null || l.dir.length > best.dir.length)) best = l;
  return best;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"\n;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
const problems = [];
let scanned = 0;
for (const top of ['engine', 'capture', 'cli', 'electron', 'renderer', 'probes', 'bench']) {
  let files = [];
  try {
    files = walk(join(root, top));
  } catch {
    continue; // the folder does not exist
  }
  for (const abs of files) {
    const file = relative(root, abs);
    if (file.includes('.test.')) continue;
    scanned++;
    const layer = layerOf(file);
    if (layer === null) {
      problems.push(`${file}: no layer governs this file (probes/ holds data, not code)`);
      continue;
    }
    const src = readFileSync(abs, 'utf8');
    for (const m of src.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4] ?? m[5];
      const typeOnly = Boolean(m[2]);
      if (!spec.startsWith('.')) {
        if (!layer.modules(spec)) problems.push(`${file}: imports '${spec}': ${layer.why}`);
        continue;
      }
      let target = relative(root, resolve(dirname(abs), spec)).replace(/\.js$/, '.ts');
      const ok = layer.may.some((p) => target.startsWith(p)) || (typeOnly && (layer.typeOnly ?? []).some((p) => target.startsWith(p)));
      if (!ok) problems.push(`${file}: imports '${spec}': ${layer.why}`);
    }
  }
}
if (problems.length > 0) {
  console.error(`import check: ${problems.length} boundary violation(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`import check: ${scanned} files, layers respected`);
