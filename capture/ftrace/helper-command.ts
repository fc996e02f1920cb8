import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandEvents, type FtraceChildConfig } from './ftrace-config.js';

// Where the root helper of the ftrace backend is, and its argv (docs/adr/0020). The packaged app
// ships it beside its resources (electron-builder extraResources, outside the asar archive, so it
// can run and a sudoers line or polkit action can name it); from sources, the CLI's dist/ and the
// unpackaged app (.vite/build) it is the repository's own file.

export const HELPER_NAME = 'misertrace-ftrace-helper.sh';

/** The helper's absolute path; throws when it cannot be found or is not executable. */
export function ftraceHelperPath(): string {
  const candidates: string[] = [];
  // Electron's main process (packaged): <app>/resources/misertrace-ftrace-helper.sh.
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(join(resources, HELPER_NAME));
  // Sources, dist/capture/ftrace and .vite/build: the repository's capture/ftrace.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) candidates.push(join(dir, HELPER_NAME), join(dir, 'capture', 'ftrace', HELPER_NAME));
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    accessSync(c, constants.X_OK);
    return c;
  }
  throw new Error(`the ftrace helper ${HELPER_NAME} is missing (looked in ${[...new Set(candidates)].join(', ')})`);
}

/** The helper's arguments: the work folder it writes to, the buffer size, the threads and the events. */
export function ftraceHelperArgs(outDir: string, cfg: Pick<FtraceChildConfig, 'bufferKb' | 'tids' | 'traced' | 'syscalls' | 'userEvents' | 'sockets'>): string[] {
  const traced = [...expandEvents(cfg.traced, cfg.syscalls), ...cfg.userEvents.map((u) => ({ event: u.event }))];
  const spec = (inst: string, e: { event: string; filter?: string }) => {
    if (e.filter !== undefined && /[\n\0]/.test(e.filter)) throw new Error(`the filter of ${e.event} has a line break`);
    return `${inst}|${e.event}${e.filter ? `|${e.filter}` : ''}`;
  };
  return [outDir, String(cfg.bufferKb), cfg.tids.join(','), ...traced.map((e) => spec('traced', e)), ...cfg.sockets.map((e) => spec('sockets', e))];
}
