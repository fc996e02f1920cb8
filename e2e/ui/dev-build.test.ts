import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { rendererBuildDir } from './harness/renderer-build.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14 item 9: a development build (React's strict mode runs start-up effects twice) opens
// the first-launch bundle once, without a false "Still opening" notice; and the harness keeps
// development and production builds apart (a dev build once stood in for production runs).

describe.skipIf(SKIP_REASON !== null)(`development build${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite({ mode: 'development' });

  it('keys the renderer build by mode, and this one is React’s development build', () => {
    const dev = rendererBuildDir('development');
    expect(dev).not.toBe(rendererBuildDir('production'));
    expect(dev).toMatch(/misertrace-renderer-development-/);
    expect(rendererBuildDir('production')).toMatch(/misertrace-renderer-production-/);
    const js = readdirSync(join(dev, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dev, 'assets', f), 'utf8')).join('\n');
    // Only React's development build carries its dev-time warnings.
    expect(js).toContain('Detected a large number of updates inside startTransition');
    const prod = rendererBuildDir('production');
    if (existsSync(join(prod, 'assets'))) {
      const pjs = readdirSync(join(prod, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(prod, 'assets', f), 'utf8')).join('\n');
      expect(pjs).not.toContain('Detected a large number of updates inside startTransition');
    }
  });

  it('opens the sample on first launch once, with no "Still opening" notice', async () => {
    const sample = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open({ samplePath: sample });
    const p = app.page;
    await expect.poll(() => p.locator('.row-count').textContent(), { timeout: 20_000 }).toBe('50 of 50 traces');
    await p.waitForTimeout(500);
    expect(await p.locator('.notice').allTextContents()).toEqual([]);
    expect(app.composed.services.bundles.openCount()).toBe(1);
  });
});
