#!/usr/bin/env node
// Enforces the layer boundaries of ARCHITECTURE.md by scanning import specifiers. CI runs it.
// A rule names the files it governs, the specifiers it forbids, and why.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const BROWSER_SAFE = ['engine/model/', 'engine/render/', 'engine/figure/', 'engine/export/', 'engine/handlers/'];
// Node-only files inside otherwise browser-safe folders.
const NODE_ONLY_FILES = new Set(['engine/handlers/handler-loader.ts']);
const NODE_MODULES_FORBIDDEN_IN_BROWSER = /^(node:|fs$|path$|os$|child_process$|worker_threads$|better-sqlite3$|dockerode$|node-pty$|tsx)/;

const rules = [
  {
    files: (f) => f.startsWith('engine/'),
    forbid: (spec, target) => /^(electron|react|react-dom|zustand)(\/|$)/.test(spec) || target?.startsWith('renderer/'),
    why: 'engine/ is pure TypeScript: no Electron, React or renderer code',
  },
  {
    files: (f) => f.startsWith('engine/') && !f.startsWith('engine/cli/'),
    forbid: (_s, target) => target?.startsWith('electron/'),
    why: 'only the CLI (engine/cli) may use the services under electron/services',
  },
  {
    files: (f) => f.startsWith('engine/cli/'),
    forbid: (_s, target) => target?.startsWith('electron/') && !target.startsWith('electron/services/'),
    why: 'the CLI may use electron/services (no Electron imports there), nothing else of electron/',
  },
  {
    files: (f) => BROWSER_SAFE.some((d) => f.startsWith(d)) && !NODE_ONLY_FILES.has(f),
    forbid: (spec, target) =>
      NODE_MODULES_FORBIDDEN_IN_BROWSER.test(spec) ||
      (target !== null && !BROWSER_SAFE.some((d) => target.startsWith(d)) && !target.startsWith('engine/version')),
    why: 'browser-safe engine parts (model, render, figure, export, handlers) are used by the renderer: no Node modules',
  },
  {
    files: (f) => f.startsWith('electron/') && f !== 'electron/main.ts' && f !== 'electron/preload.ts',
    forbid: (spec) => /^electron(\/|$)/.test(spec),
    why: 'only electron/main.ts and electron/preload.ts import electron; services stay testable under Node',
  },
  {
    files: (f) => f.startsWith('renderer/'),
    forbid: (spec, target, typeOnly) =>
      /^(node:|electron|better-sqlite3|dockerode|node-pty|fs$|path$|child_process$)/.test(spec) ||
      (target !== null && target.startsWith('electron/') && !(typeOnly && target.startsWith('electron/ipc'))) ||
      (target !== null && target.startsWith('engine/') && !BROWSER_SAFE.some((d) => target.startsWith(d))),
    why: 'the renderer talks to the outside only through the preload API: `import type` from electron/ipc*, browser-safe engine parts',
  },
];

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
for (const top of ['engine', 'electron', 'renderer', 'probes']) {
  let files = [];
  try {
    files = walk(join(root, top));
  } catch {
    continue; // the folder does not exist yet
  }
  for (const abs of files) {
    const file = relative(root, abs);
    if (file.includes('.test.')) continue;
    scanned++;
    const src = readFileSync(abs, 'utf8');
    for (const m of src.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4] ?? m[5];
      const typeOnly = Boolean(m[2]);
      const target = spec.startsWith('.') ? relative(root, resolve(dirname(abs), spec)) : null;
      for (const r of rules) {
        if (r.files(file) && r.forbid(spec, target, typeOnly)) problems.push(`${file}: imports '${spec}': ${r.why}`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`import check: ${problems.length} boundary violation(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`import check: ${scanned} files, boundaries respected`);
