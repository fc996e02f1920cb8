import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellWords } from '../../engine/figure/figure-command.js';
import { decodePng } from '../../test/figure/png.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { seriousA11yViolations } from './harness/axe.js';
import { misertrace } from './harness/cli-run.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// The figure editor (issue 14): a live preview of the file an export writes, width presets in
// points with font sizes in points, container names stripped of their common prefix and
// editable, the equivalent `misertrace export` command (stored in the SVG: running it gives the
// same bytes), and PDF/PNG drawn by Chromium.

async function openEditor(app: ExplorerPage, bundle: string, id: number): Promise<void> {
  const p = app.page;
  app.dialogs.answer(bundle);
  await p.getByRole('button', { name: /Open bundle/ }).click();
  await p.locator(`.trace-row[data-trace-id="${id}"]`).dblclick();
  await expect.poll(() => p.locator('.gantt-row').count()).toBeGreaterThan(0);
  await p.getByRole('button', { name: 'Export…', exact: true }).click();
  await p.getByRole('region', { name: 'Export' }).getByRole('button', { name: 'Figure editor…' }).click();
  await p.getByRole('dialog', { name: /Figure editor/ }).waitFor();
}

/** Waits until the editor shows this command, the preview drawn with these options. */
async function shownCommand(app: ExplorerPage, command: string): Promise<string> {
  const code = app.page.getByTestId('figure-command');
  await expect.poll(async () => (await code.textContent()) ?? '', { timeout: 15_000 }).toBe(command);
  await expect.poll(() => app.page.locator('.figure-preview[aria-busy="false"]').count()).toBe(1);
  return command;
}

function storedCommand(svg: string): string {
  const m = /<mt:command>([^<]*)<\/mt:command>/.exec(svg);
  expect(m, 'the SVG stores its command').not.toBeNull();
  return m![1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

async function save(app: ExplorerPage, format: 'SVG' | 'PDF' | 'PNG', target: string): Promise<void> {
  app.dialogs.answer(target);
  await app.page.getByRole('dialog', { name: /Figure editor/ }).getByRole('button', { name: `Save ${format}…` }).click();
  await expect.poll(() => app.page.locator('.notice-info').filter({ hasText: target }).count(), { timeout: 30_000 }).toBe(1);
}

describe.skipIf(SKIP_REASON !== null)(`figure editor${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('previews a one-column figure with short names, and the CLI command it shows writes the same file', async () => {
    const bundle = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open({ viewport: { width: 1280, height: 860 } });
    await openEditor(app, bundle, 4);
    const dialog = app.page.getByRole('dialog', { name: /Figure editor/ });
    await dialog.getByRole('radio', { name: 'One column (241 pt)' }).check();
    expect(await dialog.getByLabel('Font size (pt)').inputValue()).toBe('8');
    // The common prefix "oracle-" is stripped by default; one name is typed.
    await expect.poll(() => dialog.getByRole('checkbox', { name: /Strip the common prefix “oracle-”/ }).isChecked()).toBe(true);
    await dialog.getByLabel('Name of oracle-catalog in the figure').fill('Catalog');
    await dialog.getByLabel('Title').fill('Checkout, one column');
    // One column has no room for every count: the labels keep the thread and the container.
    await dialog.getByRole('checkbox', { name: 'Event counts' }).uncheck();
    const command = await shownCommand(
      app,
      "misertrace export -i mixed50.mstrace -n 4 --format svg --width 241pt --font-size 8pt --title 'Checkout, one column' --label tid,container --rename oracle-frontend=frontend,oracle-catalog=Catalog,oracle-inventory=inventory,oracle-kvstore=kvstore",
    );
    expect(await seriousA11yViolations(app.page)).toEqual([]);
    await app.page.screenshot({ path: ui.shot('figure-editor-one-column') });

    const svgPath = join(ui.tmp.path, 'one-column.svg');
    await save(app, 'SVG', svgPath);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg).toContain('width="241pt"');
    expect(svg).toContain('>Catalog</tspan>');
    expect(storedCommand(svg)).toBe(command);
    // The preview is the file: the same text the engine wrote.
    const previewed = await app.page.getByTestId('figure-preview').getAttribute('src');
    expect(previewed).toMatch(/^blob:/);
    // The command, run as shown (the bundle named by file name: run where it lies), writes the same bytes.
    const words = shellWords(command);
    words[words.indexOf('-i') + 1] = bundle;
    const cliSvg = join(ui.tmp.path, 'cli-one-column.svg');
    const r = await misertrace([...words.slice(1), '-o', cliSvg]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(cliSvg, 'utf8')).toBe(svg);

    // PDF and PNG: the same figure drawn by Chromium, at the printed size.
    const pdfPath = join(ui.tmp.path, 'one-column.pdf');
    await save(app, 'PDF', pdfPath);
    const pdf = readFileSync(pdfPath).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(Number(/\/MediaBox \[0 0 ([\d.]+)/.exec(pdf)?.[1])).toBeCloseTo(241, 0);
    const pngPath = join(ui.tmp.path, 'one-column.png');
    await save(app, 'PNG', pngPath);
    const png = decodePng(readFileSync(pngPath));
    expect(Math.abs(png.width - (241 / 72) * 300)).toBeLessThan(3); // 300 dpi
    const fig = await app.page.context().newPage();
    await fig.setContent(`<body style="margin:0;background:#888"><img src="data:image/png;base64,${readFileSync(pngPath).toString('base64')}" style="width:${Math.round(png.width / 2)}px"></body>`);
    await fig.screenshot({ path: ui.shot('figure-one-column-png'), fullPage: true });
    await fig.close();
  });

  it('switches to two columns, refuses a name with a comma, and closes with Esc', async () => {
    const bundle = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open({ viewport: { width: 1280, height: 860 } });
    await openEditor(app, bundle, 1);
    const dialog = app.page.getByRole('dialog', { name: /Figure editor/ });
    await dialog.getByRole('radio', { name: 'Two columns (506 pt)' }).check();
    await dialog.getByRole('checkbox', { name: /Strip the common prefix/ }).uncheck();
    await shownCommand(app, 'misertrace export -i mixed50.mstrace -n 1 --format svg --width 506pt --font-size 9pt');
    await app.page.screenshot({ path: ui.shot('figure-editor-two-columns') });
    await dialog.getByLabel('Name of oracle-kvstore in the figure').fill('kv,store');
    await expect.poll(() => dialog.locator('.figure-problem').first().textContent()).toMatch(/cannot contain “,” or “=”/);
    expect(await dialog.getByRole('button', { name: 'Save SVG…' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Name of oracle-kvstore in the figure').fill('KV');
    await expect.poll(() => dialog.getByRole('button', { name: 'Save SVG…' }).isDisabled()).toBe(false);
    await dialog.getByLabel('Title').press('Escape');
    await expect.poll(() => app.page.getByRole('dialog', { name: /Figure editor/ }).count()).toBe(0);
    // Esc closed the editor only: the trace stays on screen.
    expect(await app.page.locator('.gantt-row').count()).toBeGreaterThan(0);
  });
});
