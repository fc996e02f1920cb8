import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION } from '../../engine/bundle/bundle-schema.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { PROJECT_ROOT } from '../../test/fixtures.js';
import { corruptCopy, foreignSqlite, newerVersionCopy, notABundle, truncatedCopy } from './harness/bad-bundles.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Start screen: the sample on first launch, the open dialog, drag-and-drop, recent bundles, and
// every kind of bad file answered with a clear message while the app stays usable.

const SAMPLE = join(PROJECT_ROOT, 'samples', 'mixed50.mstrace');

describe.skipIf(SKIP_REASON !== null)(`start screen and opening bundles${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('opens the sample on first launch only, and remembers it as recent', async () => {
    const first = await ui.open({ samplePath: SAMPLE });
    const p = first.page;
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'traces' }).first().textContent()).toBe('50 of 50 traces');
    await expect.poll(() => p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(10);
    await first.screenshot(ui.shot('first-launch-sample'));
    const userDataDir = first.userDataDir;
    // A second launch with the same user data: the start screen, the sample in the recent list.
    const again = await ui.open({ samplePath: SAMPLE, userDataDir });
    const q = again.page;
    await expect.poll(() => q.getByRole('main', { name: 'Start' }).isVisible()).toBe(true);
    await expect.poll(() => q.getByRole('list', { name: 'Recent bundles' }).textContent()).toContain('mixed50.mstrace');
    await again.screenshot(ui.shot('start-screen'));
  });

  it('opens a bundle from the dialog and from a file dropped on the window', async () => {
    const seq20 = await buildFixtureBundle('seq20', ui.tmp.path);
    const mixed = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open({ dropDir: ui.tmp.path });
    const p = app.page;
    app.dialogs.answer(seq20);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('20 of 20 traces');
    expect(app.dialogs.asked).toEqual([{ kind: 'open', title: 'Open a trace bundle' }]);
    // Drop mixed50.mstrace from the test folder onto the window.
    await app.dropFile('mixed50.mstrace');
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('50 of 50 traces');
    await expect.poll(() => p.locator('.top-file').textContent()).toBe('mixed50.mstrace');
    // The previous bundle was closed in main, not leaked.
    expect(app.composed.services.bundles.openCount()).toBe(1);
    await app.tab('Start');
    const recent = p.getByRole('list', { name: 'Recent bundles' });
    await expect.poll(() => recent.locator('.recent-name').allTextContents()).toEqual(['mixed50.mstrace', 'seq20.mstrace']);
    void mixed;
  });

  it('explains every bad file and stays usable', async () => {
    const good = await buildFixtureBundle('seq20', ui.tmp.path);
    const t = ui.tmp.path;
    const cases: { path: string; kind: string; message: RegExp; hint: RegExp }[] = [
      { path: corruptCopy(good, join(t, 'damaged.mstrace')), kind: 'bundle-corrupt', message: /damaged\.mstrace is damaged/, hint: /copy the bundle again/ },
      { path: notABundle(join(t, 'records.mstrace')), kind: 'bundle-not-a-bundle', message: /is not a MiSeRTrace bundle/, hint: /open a file written by/ },
      { path: foreignSqlite(join(t, 'notes.db')), kind: 'bundle-not-a-bundle', message: /an SQLite database but not a MiSeRTrace bundle/, hint: /open a \.mstrace file/ },
      { path: newerVersionCopy(good, join(t, 'future.mstrace')), kind: 'bundle-newer-version', message: new RegExp(`uses bundle format ${FORMAT_VERSION + 1}; this version reads up to ${FORMAT_VERSION}`), hint: /update MiSeRTrace Explorer/ },
      { path: truncatedCopy(good, join(t, 'cut.mstrace')), kind: 'bundle-truncated', message: /is truncated/, hint: /cut short/ },
      { path: join(t, 'gone.mstrace'), kind: 'bundle-missing', message: /no such bundle/, hint: /check the path/ },
    ];
    const app = await ui.open();
    const p = app.page;
    app.dialogs.answer(good);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('20 of 20 traces');
    for (const c of cases) {
      await app.tab('Start');
      app.dialogs.answer(c.path);
      await p.getByRole('button', { name: /Open bundle/ }).click();
      const alert = p.locator(`.notice-error[data-kind="${c.kind}"]`).last();
      await expect.poll(() => alert.isVisible(), { message: c.kind }).toBe(true);
      expect(await alert.locator('.notice-message').textContent()).toMatch(c.message);
      expect(await alert.locator('.notice-hint').textContent()).toMatch(c.hint);
      if (c.kind === 'bundle-corrupt') await app.screenshot(ui.shot('bad-bundle-message'));
      await alert.getByRole('button', { name: 'Dismiss message' }).click();
      // Still usable: the good bundle is still open, its traces one click away.
      await app.tab(/Traces \(20\)/);
      await expect.poll(() => p.locator('.row-count').textContent()).toBe('20 of 20 traces');
    }
    expect(app.composed.services.bundles.openCount()).toBe(1);
    // And a good bundle still opens after all that.
    const again = join(t, 'again.mstrace');
    copyFileSync(good, again);
    app.dialogs.answer(again);
    await app.tab('Start');
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.top-file').textContent()).toBe('again.mstrace');
  });

  it('refuses malformed requests from the page in main, before any service runs', async () => {
    const app = await ui.open();
    const answers = await Promise.all([
      app.rawInvoke('explorer:openBundle', { path: 'relative/file.mstrace' }),
      app.rawInvoke('explorer:openBundle', { path: '/x.mstrace', extra: 1 }),
      app.rawInvoke('explorer:traceDetail', { bundleId: 'b1', traceId: -3 }),
      app.rawInvoke('explorer:deleteEverything', {}),
      app.rawInvoke('elsewhere:openBundle', { path: '/x' }),
    ]);
    expect(answers.map((a) => a.ok)).toEqual([false, false, false, false, false]);
    expect(answers.map((a) => a.error?.kind)).toEqual(['invalid-request', 'invalid-request', 'invalid-request', 'invalid-request', 'invalid-request']);
    expect(answers[0]!.error!.message).toMatch(/openBundle\.path: has an unexpected form/);
    expect(answers[1]!.error!.message).toMatch(/unexpected key "extra"/);
    expect(answers[2]!.error!.message).toMatch(/traceId: outside 1\.\./);
  });
});
