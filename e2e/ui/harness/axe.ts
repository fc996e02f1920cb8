import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

// Accessibility check of what the page shows now (axe-core): the serious and critical
// violations, each as "rule: target (summary)", so a failing assertion says what to fix.

export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary?.split('\n').slice(0, 2).join(' ') ?? v.help})`));
}
