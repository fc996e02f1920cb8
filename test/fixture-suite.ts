import { afterAll, beforeAll } from 'vitest';
import type { ModelName } from '../engine/model/span-link.js';
import { buildFixtureBundle, tempDir, type TempDir } from './fixture-bundles.js';
import type { FixtureName } from './fixtures.js';

// One fixture's bundle for a whole test file: built by the real pipeline in a temporary folder
// before the file's first test; the folder is removed after its last.

export interface FixtureBundle {
  readonly dir: TempDir;
  /** The bundle's path. */
  readonly path: string;
}

/** Call at the top level of a test file; `model` as for buildFixtureBundle. */
export function fixtureBundleForFile(name: FixtureName, model?: ModelName): FixtureBundle {
  let dir: TempDir | undefined;
  let path: string | undefined;
  beforeAll(async () => {
    dir = tempDir();
    path = await buildFixtureBundle(name, dir.path, model);
  });
  afterAll(() => dir?.remove());
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error(`the ${name} bundle is read before its beforeAll ran`);
    return v;
  };
  return {
    get dir() {
      return ready(dir);
    },
    get path() {
      return ready(path);
    },
  };
}
