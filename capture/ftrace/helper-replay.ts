import { existsSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FtraceChildConfig } from './ftrace-config.js';
import { convertHelperPages, readHelperFormats, type HelperReplay } from './helper-output.js';

// An ftrace work folder converted again, after the fact: what the root helper left (`formats`,
// `pages`, `messages`) and the session's `ftrace-config.json`. `misertrace bundle recover` uses it
// for a capture whose session was killed before it converted the pages (its records file then
// holds the helper's messages only); `npm run bench:ftrace` times the conversion on a kept folder
// (`capture --keep-work-dir`).

/** Whether `dir` holds an ftrace helper's output with pages to convert. */
export function isHelperFolder(dir: string): boolean {
  const pages = join(dir, 'pages');
  return existsSync(join(dir, 'formats')) && existsSync(join(dir, 'ftrace-config.json')) && existsSync(pages) && statSync(pages).size > 0;
}

/** Writes the folder's records to `recordsFd`: the helper's Attaching / Lost lines, then every page converted. */
export async function replayHelperFolder(dir: string, recordsFd: number): Promise<HelperReplay> {
  const cfg = JSON.parse(readFileSync(join(dir, 'ftrace-config.json'), 'utf8')) as FtraceChildConfig;
  const fmt = await readHelperFormats(join(dir, 'formats'));
  const messages = existsSync(join(dir, 'messages')) ? readFileSync(join(dir, 'messages'), 'utf8') : '';
  // Lost events stay counted (the bundle says partial); the attach marker is the live session's.
  const kept = messages.split('\n').filter((l) => /^(Attaching \d+ probes|Lost \d+ events)/.test(l));
  if (kept.length > 0) writeSync(recordsFd, `${kept.join('\n')}\n`);
  return convertHelperPages(join(dir, 'pages'), fmt, cfg, recordsFd);
}
