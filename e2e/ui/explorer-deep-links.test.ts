import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDeepLink } from '../../electron/app-services/deep-links.js';
import type { EventContract, EventName } from '../../electron/ipc-contract.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have: deep links. "Copy link" in the trace view gives
// misertrace://open?bundle=…&trace=…&span=…; given to the app as the OS gives it (main's
// openDeepLink, the same function main.ts calls for a second launch or open-url, with the real
// path grants and events), it opens the bundle at that span. Bad links are refused by main, with
// what is wrong, and nothing is granted or opened.

/** What main does with a link the OS hands over. */
function deliver(app: ExplorerPage, link: string): boolean {
  return openDeepLink(link, app.composed.services.grants, <E extends EventName>(name: E, payload: EventContract[E]) => void app.emit(name, payload));
}

const noticeText = (p: Page) => p.locator('.notice-error').last().textContent();

describe.skipIf(SKIP_REASON !== null)(`explorer: deep links${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('copies a link to the selected span and opens the app at that span from it', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = app.page;
    await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(p.url()).origin });
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await p.locator('.trace-row[data-trace-id="4"]').dblclick();
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    await p.getByRole('button', { name: 'Copy link: opens trace #4 in the app' }).click();
    await expect.poll(() => p.evaluate('navigator.clipboard.readText()')).toBe(`misertrace://open?bundle=${encodeURIComponent(path)}&trace=4`);
    await p.locator('.gantt-row[data-span="2"] .gantt-bar').click();
    await p.getByRole('button', { name: 'Copy link: opens span 2 of trace #4 in the app' }).click();
    const link = String(await p.evaluate('navigator.clipboard.readText()'));
    expect(link).toBe(`misertrace://open?bundle=${encodeURIComponent(path)}&trace=4&span=2`);
    // Close the bundle; the link opens it again, at trace 4 with span 2 selected and its records read.
    await app.emit('menuCommand', { command: 'close-bundle' });
    await expect.poll(() => p.getByRole('button', { name: /Open bundle/ }).count()).toBe(1);
    expect(deliver(app, link)).toBe(true);
    await expect.poll(() => p.locator('.trace-title').textContent(), { timeout: 20_000 }).toContain('Trace #4');
    await expect.poll(() => p.locator('.gantt-row.is-selected').getAttribute('data-span')).toBe('2');
    await expect.poll(() => p.locator('.span-details .data-table tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await app.screenshot(ui.shot('deep-link-opened'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    // A link into the bundle already open opens no second copy: another trace, no span.
    const bundleBefore = await p.locator('.top-file').textContent();
    expect(deliver(app, `misertrace://open?bundle=${encodeURIComponent(path)}&trace=7`)).toBe(true);
    await expect.poll(() => p.locator('.trace-title').textContent()).toContain('Trace #7');
    expect(await p.locator('.top-file').textContent()).toBe(bundleBefore);
    expect(await p.locator('.gantt-row.is-selected').count()).toBe(0);
  });

  it('refuses bad links with what is wrong, grants nothing, and says when the trace or span is not there', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const other = join(ui.tmp.path, 'other.mstrace');
    copyFileSync(path, other);
    const app = await ui.open();
    const p = app.page;
    const grants = app.composed.services.grants;
    const bad: [string, RegExp][] = [
      [`misertrace://open?bundle=${encodeURIComponent(other)}&trace=abc`, /its trace \(abc\) is not a whole number/],
      [`misertrace://open?bundle=${encodeURIComponent(other)}&trace=1&cmd=x`, /unknown field "cmd"/],
      [`misertrace://open?bundle=other.mstrace&trace=1`, /not an absolute, normalized path/],
      [`misertrace://open?bundle=%2Fetc%2Fpasswd&trace=1`, /not a \.mstrace file/],
      [`misertrace://export?bundle=${encodeURIComponent(other)}&trace=1`, /the app only opens/],
    ];
    for (const [link, why] of bad) {
      expect(deliver(app, link)).toBe(false);
      await expect.poll(() => noticeText(p)).toMatch(why);
      expect(await p.locator('.notice-error').last().textContent()).toContain('Could not open the link');
    }
    expect(grants.allows(other, 'open')).toBe(false);
    expect(await p.getByRole('button', { name: /Open bundle/ }).count()).toBe(1); // nothing opened
    // The renderer cannot open the path a refused link named (ADR 0056).
    const raw = await app.rawInvoke('explorer:openBundle', { path: other });
    expect(raw.ok).toBe(false);
    await app.screenshot(ui.shot('deep-link-refused'));
    // A good link to a trace or a span the bundle does not have: the bundle opens, and says so.
    expect(deliver(app, `misertrace://open?bundle=${encodeURIComponent(other)}&trace=9999`)).toBe(true);
    await expect.poll(() => noticeText(p), { timeout: 20_000 }).toMatch(/other\.mstrace has no trace #9999/);
    expect(await p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0);
    expect(deliver(app, `misertrace://open?bundle=${encodeURIComponent(other)}&trace=3&span=999`)).toBe(true);
    await expect.poll(() => noticeText(p), { timeout: 20_000 }).toMatch(/trace #3 has spans 0 to \d+, not span 999/);
    await expect.poll(() => p.locator('.trace-title').textContent()).toContain('Trace #3');
  });
});
