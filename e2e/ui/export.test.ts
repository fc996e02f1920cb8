import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { misertrace } from './harness/cli-run.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Exports from the trace view, byte for byte against `misertrace export` on the same bundle.

const STRIPPED = 'oracle-frontend=frontend,oracle-catalog=catalog,oracle-inventory=inventory,oracle-kvstore=kvstore';

async function openTrace(app: ExplorerPage, bundle: string, id: number): Promise<void> {
  const p = app.page;
  app.dialogs.answer(bundle);
  await p.getByRole('button', { name: /Open bundle/ }).click();
  await p.locator(`.trace-row[data-trace-id="${id}"]`).dblclick();
  await expect.poll(() => p.locator('.gantt-row').count()).toBeGreaterThan(0);
}

async function exportAs(app: ExplorerPage, formatLabel: RegExp, target: string): Promise<void> {
  const p = app.page;
  const panel = p.getByRole('region', { name: 'Export' });
  if (!(await panel.isVisible())) await p.getByRole('button', { name: 'Export…', exact: true }).click();
  await panel.getByRole('radio', { name: formatLabel }).check();
  app.dialogs.answer(target);
  await panel.getByRole('button', { name: 'Export…' }).click();
  await expect.poll(() => p.locator('.notice-info').filter({ hasText: target }).count()).toBe(1);
}

describe.skipIf(SKIP_REASON !== null)(`export${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('writes the same SVG figure as the CLI, with default and with chosen options', async () => {
    const bundle = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    await openTrace(app, bundle, 4);
    const appSvg = join(ui.tmp.path, 'app-4.svg');
    await exportAs(app, /SVG figure/, appSvg);
    const cliSvg = join(ui.tmp.path, 'cli-4.svg');
    // The figure editor strips the containers' common prefix by default (oracle-): the CLI's --rename.
    const cli = await misertrace(['export', '-i', bundle, '-n', '4', '--format', 'svg', '-o', cliSvg, '--rename', STRIPPED]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const text = readFileSync(appSvg, 'utf8');
    expect(text).toBe(readFileSync(cliSvg, 'utf8'));
    expect(text).toMatch(/^<\?xml/);
    expect(app.dialogs.asked.at(-1)).toEqual({ kind: 'save', title: 'Export SVG figure', defaultName: 'mixed50-trace-4.svg' });
    // Rendered by Chromium, for a person to look at beside the app's own view.
    const fig = await app.page.context().newPage();
    await fig.setContent(`<body style="margin:0">${text.replace(/^<\?xml[^>]*>/, '')}</body>`);
    await fig.screenshot({ path: ui.shot('exported-figure-mixed50-4'), fullPage: true });
    await fig.close();

    // Title, caption, width, greyscale (in the figure editor), a collapsed subtree and only the total count.
    const p = app.page;
    const panel = p.getByRole('region', { name: 'Export' });
    await panel.getByRole('radio', { name: /SVG figure/ }).check();
    await panel.getByRole('button', { name: 'Figure editor…' }).click();
    const editor = p.getByRole('dialog', { name: /Figure editor/ });
    await editor.getByLabel('Title').fill('Checkout request');
    await editor.getByLabel('Caption').fill('Spans of trace 4 with their event totals.');
    await editor.getByRole('radio', { name: 'Custom' }).check();
    await editor.getByLabel('Width', { exact: true }).fill('1200');
    await editor.getByRole('checkbox', { name: 'Greyscale' }).check();
    await editor.getByRole('button', { name: 'Close', exact: true }).click();
    await p.getByRole('button', { name: 'Collapse span 2' }).click();
    await p.locator('.count-chooser summary').click();
    const counts = p.getByRole('group', { name: 'Counts on bars' });
    await counts.getByRole('button', { name: 'None' }).click();
    await counts.getByRole('checkbox', { name: 'Events' }).check();
    await p.locator('.count-chooser summary').click();
    const appSvg2 = join(ui.tmp.path, 'app-4-options.svg');
    await exportAs(app, /SVG figure/, appSvg2);
    const cliSvg2 = join(ui.tmp.path, 'cli-4-options.svg');
    const cli2 = await misertrace([
      'export', '-i', bundle, '-n', '4', '--format', 'svg', '-o', cliSvg2,
      '--title', 'Checkout request', '--caption', 'Spans of trace 4 with their event totals.', '--width', '1200', '--greyscale', '--collapse', '2', '--counts', 'total', '--rename', STRIPPED,
    ]);
    expect(cli2.stderr).toBe('');
    const text2 = readFileSync(appSvg2, 'utf8');
    expect(text2).toBe(readFileSync(cliSvg2, 'utf8'));
    expect(text2).toContain('Checkout request');
    expect(text2).not.toBe(text);
  });

  it('exports only the zoomed time window, as --window does', async () => {
    const bundle = await buildFixtureBundle('mixed50', ui.tmp.path);
    const b = Bundle.open(bundle);
    const rootStart = b.trace(1)!.spans[0]!.start;
    b.close();
    const app = await ui.open();
    await openTrace(app, bundle, 1);
    const p = app.page;
    await p.locator('.gantt-scroll').focus();
    await p.keyboard.press('+');
    await p.keyboard.press('+');
    await p.keyboard.press('ArrowRight');
    const [start, end] = (await p.locator('.gantt').getAttribute('data-window'))!.split('-').map(Number) as [number, number];
    await p.getByRole('button', { name: 'Export…', exact: true }).click();
    await p.getByRole('region', { name: 'Export' }).getByRole('button', { name: 'Figure editor…' }).click();
    const editor = p.getByRole('dialog', { name: /Figure editor/ });
    await editor.getByRole('checkbox', { name: 'Only the zoomed time window' }).check();
    await editor.getByRole('button', { name: 'Close', exact: true }).click();
    const mine = join(ui.tmp.path, 'app-1-window.svg');
    await exportAs(app, /SVG figure/, mine);
    const theirs = join(ui.tmp.path, 'cli-1-window.svg');
    const cli = await misertrace(['export', '-i', bundle, '-n', '1', '--format', 'svg', '-o', theirs, '--window', `${start - rootStart}ns..${end - rootStart}ns`, '--rename', STRIPPED]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(readFileSync(mine, 'utf8')).toBe(readFileSync(theirs, 'utf8'));
  });

  it('writes Chrome trace, Jaeger and OTLP files identical to the CLI', async () => {
    const bundle = await buildFixtureBundle('seq20', ui.tmp.path);
    const app = await ui.open();
    await openTrace(app, bundle, 7);
    for (const [format, label] of [
      ['chrome', /Chrome trace/],
      ['jaeger', /Jaeger JSON/],
      ['otlp', /OTLP\/JSON/],
    ] as const) {
      const mine = join(ui.tmp.path, `app-7.${format}.json`);
      await exportAs(app, label, mine);
      const theirs = join(ui.tmp.path, `cli-7.${format}.json`);
      const cli = await misertrace(['export', '-i', bundle, '-n', '7', '--format', format, '-o', theirs]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(readFileSync(mine, 'utf8'), format).toBe(readFileSync(theirs, 'utf8'));
      expect(() => JSON.parse(readFileSync(mine, 'utf8'))).not.toThrow();
    }
  });

  it('does nothing when the save dialog is cancelled', async () => {
    const bundle = await buildFixtureBundle('seq20', ui.tmp.path);
    const app = await ui.open();
    await openTrace(app, bundle, 1);
    const p = app.page;
    await p.getByRole('button', { name: 'Export…', exact: true }).click();
    app.dialogs.answer(null);
    await p.getByRole('region', { name: 'Export' }).getByRole('button', { name: 'Export…' }).click();
    await expect.poll(() => app.dialogs.asked.length).toBe(2);
    await p.waitForTimeout(200);
    expect(await p.locator('.notice').count()).toBe(0);
  });
});
