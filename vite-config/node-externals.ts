import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

// What main's bundle leaves to Node's require/import at run time: Electron, Node's built-ins, and
// every runtime dependency (native modules such as better-sqlite3 and node-pty cannot be bundled,
// and electron-builder ships node_modules anyway).

export function nodeExternals(projectRoot: string): (id: string) => boolean {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const deps = Object.keys(pkg.dependencies ?? {});
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  return (id) => id === 'electron' || id.startsWith('electron/') || builtins.has(id) || id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));
}
