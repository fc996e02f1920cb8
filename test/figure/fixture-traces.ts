import { Bundle } from '../../engine/bundle/bundle-reader.js';
import type { FigureTrace } from '../../engine/figure/figure-types.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import type { FixtureName } from '../fixtures.js';
import type { ModelName } from '../../engine/model/span-link.js';

// Opens a bundle built from a fixture capture by the real pipeline (sort + generate), for the
// figure and export tests. Close it in afterAll.

export interface OpenFixture {
  bundle: Bundle;
  path: string;
  traces(ids: readonly number[]): FigureTrace[];
  close(): void;
}

/** `model` absent: the default model; the reference figures were made with the original model and ask for it. */
export async function openFixture(name: FixtureName, model?: ModelName): Promise<OpenFixture> {
  const dir: TempDir = tempDir(`misertrace-figure-${name}-`);
  const path = await buildFixtureBundle(name, dir.path, model);
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
