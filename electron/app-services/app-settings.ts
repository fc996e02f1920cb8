import { join } from 'node:path';
import { JsonStore } from './json-store.js';

// Settings that outlive a session. Only what the app itself needs to remember.

export interface AppSettings {
  /** Set once the sample bundle was shown on a first launch, so it is not forced again. */
  sampleShown: boolean;
}

const DEFAULTS: AppSettings = { sampleShown: false };

export function settingsStore(userDataDir: string): JsonStore<AppSettings> {
  return new JsonStore<AppSettings>(join(userDataDir, 'settings.json'), () => ({ ...DEFAULTS }), (v) => {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    return { sampleShown: o['sampleShown'] === true };
  });
}
