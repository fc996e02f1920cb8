#!/usr/bin/env node
// Entry of the `misertrace` command; the code is compiled TypeScript under dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('misertrace: not built yet; run `npm run build` in the project first\n');
  process.exit(70);
}
const { main } = await import(entry.href);
await main();
