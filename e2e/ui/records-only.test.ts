import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRecords } from '../../engine/bundle/write-records.js';
import { Diagnostics } from '../../engine/model/diagnostics.js';
import { parseMeta } from '../../engine/model/meta.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { fixture } from '../../test/fixtures.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// A bundle that holds its records only (ADR 0061: written first, its generation stopped) is not a
// capture without requests: the table screen says so and names the command that makes its traces,
// instead of an empty table and the "no request arrived" advice.

describe.skipIf(SKIP_REASON !== null)(`records-only bundle${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('shows "records only" with the generate command, not an empty table', async () => {
    const path = join(ui.tmp.path, 'records-only.mstrace');
    const meta = parseMeta(readFileSync(fixture('seq20', 'meta.psv'), 'utf8'));
    await writeRecords({ sortedPath: fixture('seq20', 'sorted.psv'), meta, gateway: '172.29.77.1', output: path, diagnostics: new Diagnostics() });
    const app = await ui.open({ viewport: { width: 1200, height: 700 } });
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    const note = p.locator('.records-only');
    await expect.poll(() => note.isVisible()).toBe(true);
    expect(await note.locator('h2').textContent()).toBe('This bundle holds its records only');
    expect(await note.locator('p').textContent()).toBe(`records only (the traces were not generated: the program stopped while generating them): generate its traces with \`misertrace generate -i ${path}\``);
    expect(await p.getByText('No request traces in this bundle').count()).toBe(0);
    expect(await p.locator('.trace-scroller').count()).toBe(0);
  });

  it('a bundle with its traces shows its table, and no such note', async () => {
    const path = await buildFixtureBundle('seq20', ui.tmp.path);
    const app = await ui.open({ viewport: { width: 1200, height: 700 } });
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('20 of 20 traces');
    expect(await p.locator('.records-only').count()).toBe(0);
  });
});
