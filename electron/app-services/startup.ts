import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { StartupInfo } from '../ipc-contract.js';
import type { AppSettings } from './app-settings.js';
import type { JsonStore } from './json-store.js';
import type { RecentFiles } from './recent-files.js';

// What the start screen needs at launch: a bundle given on the command line (file association,
// `misertrace-explorer trace.mstrace`), else the sample on the very first launch.

/** The first argument that names an existing .mstrace file, resolved against `cwd`. */
export function bundleFromArgv(argv: readonly string[], cwd: string): string | null {
  for (const a of argv) {
    if (a.startsWith('-') || !a.toLowerCase().endsWith('.mstrace')) continue;
    const p = isAbsolute(a) ? a : resolve(cwd, a);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

export interface StartupDeps {
  appVersion: string;
  platform: string;
  /** A bundle the OS asked to open (command line, file association), taken once. */
  takeLaunchBundle: () => string | null;
  samplePath: string | null;
  settings: JsonStore<AppSettings>;
  recent: RecentFiles;
}

export async function startupInfo(d: StartupDeps): Promise<StartupInfo> {
  const sample = d.samplePath !== null && existsSync(d.samplePath) ? d.samplePath : null;
  let openAtStart: StartupInfo['openAtStart'] = null;
  const launch = d.takeLaunchBundle();
  if (launch !== null) openAtStart = { path: launch, reason: 'argv' };
  else if (sample !== null) {
    const { value } = await d.settings.read();
    if (!value.sampleShown) {
      openAtStart = { path: sample, reason: 'sample' };
      await d.settings.write({ ...value, sampleShown: true });
    }
  }
  return { appVersion: d.appVersion, platform: d.platform, openAtStart, recent: await d.recent.list(), samplePath: sample };
}
