import { Bundle } from '../../engine/bundle/bundle-reader.js';
import type { FigureTrace } from '../../engine/figure/figure-types.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import type { FixtureName } from '../fixtures.js';

// Opens a bundle built from a fixture capture by the real pipeline (sort + generate), for the
// figure and export tests. Close it in afterAll.

export interface OpenFixture {
  bundle: Bundle;
  path: string;
  traces(ids: readonly number[]): FigureTrace[];
  close(): void;
}

export async function openFixture(name: FixtureName): Promise<OpenFixture> {
  const dir: TempDir = tempDir(`misertrace-figure-${name}-`);
  const path = await buildFixtureBundle(name, dir.path);
  const bundle = Bundle.open(path);
  return {
    bundle,
    path,
    traces: (ids) => ids.map((id) => ({ trace: bundle.trace(id)!, counts: bundle.spanCounts(id) })),
    close() {
      bundle.close();
      dir.remove();
    },
  };
}
