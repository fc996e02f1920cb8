import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { FORMAT_VERSION } from '../../engine/bundle/bundle-schema.js';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../fixtures.js';
import { cli } from './cli-harness.js';
import { buildFixtureBundle, tempDir } from '../fixture-bundles.js';

// The bundled samples (opened on first launch, used by the README's main job) must stay what the
// current engine makes from the fixtures: rebuild them with scripts/make-samples.sh otherwise.

describe('bundled sample bundles', () => {
  for (const name of ['seq20', 'mixed50'] as const) {
    it(`samples/${name}.mstrace matches a fresh generation`, async () => {
      const sample = join(PROJECT_ROOT, 'samples', `${name}.mstrace`);
      const b = Bundle.open(sample);
      expect(b.manifest.formatVersion).toBe(FORMAT_VERSION);
      b.close();
      const dir = tempDir();
      try {
        const fresh = await buildFixtureBundle(name, dir.path);
        for (const args of [['-t', 'dag', '-r'], ['-t', 'custom', '-r']]) {
          const a = await cli('render', '-i', sample, ...args);
          const f = await cli('render', '-i', fresh, ...args);
          expect(a.code).toBe(0);
          expect(a.stdout).toBe(f.stdout);
        }
      } finally {
        dir.remove();
      }
    });
  }
});
