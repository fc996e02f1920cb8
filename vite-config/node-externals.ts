import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

// What main's bundle leaves to Node's require/import at run time: Electron, Node's built-ins, and
// every runtime dependency (native modules such as better-sqlite3 and node-pty cannot be bundled,
// and electron-builder ships node_modules anyway). A list, not a function: Forge's Vite plugin
// merges its own external list with ours, and rolldown's watch mode takes lists only.

export function nodeExternals(projectRoot: string): (string | RegExp)[] {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return [
    /^electron(\/|$)/,
    /^node:/,
    ...builtinModules,
    ...Object.keys(pkg.dependencies ?? {}).map((d) => new RegExp(`^${escape(d)}(/|$)`)),
  ];
}
