import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/fixtures.js';

// The real app in Electron, where the binary exists (it cannot be downloaded on our CI machines,
// see docs/architecture.md, Testing without an Electron binary): the window opens with the sandboxed, isolated renderer, the preload's
// verbs answer, and the sample bundle is shown on first launch. Elsewhere this suite skips and
// says why; the same renderer and services are covered in Chromium by the other specs.

function electronBinary(): { path: string | null; reason: string | null } {
  const pkg = join(PROJECT_ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (process.env['ELECTRON_OVERRIDE_DIST_PATH']) {
    const p = join(process.env['ELECTRON_OVERRIDE_DIST_PATH'], existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : 'electron');
    return existsSync(p) ? { path: p, reason: null } : { path: null, reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${p})` };
  }
  if (!existsSync(pathFile)) return { path: null, reason: 'no Electron binary: the electron package was installed with ELECTRON_SKIP_BINARY_DOWNLOAD (it cannot be downloaded here)' };
  const p = join(pkg, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(p) ? { path: p, reason: null } : { path: null, reason: `the Electron binary ${p} is missing` };
}

const BIN = electronBinary();
const NEEDS_DISPLAY = process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'];
const SKIP = BIN.reason ?? (NEEDS_DISPLAY ? 'no display: run under xvfb-run to launch Electron' : null);

describe.skipIf(SKIP !== null)(`Electron smoke${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let app: ElectronApplication | null = null;
  const userData = mkdtempSync(join(tmpdir(), 'misertrace-electron-'));
  afterAll(async () => {
    await app?.close();
    rmSync(userData, { recursive: true, force: true });
  });

  it('opens a locked-down window that shows the sample on first launch', async () => {
    execFileSync('npm', ['run', 'build:app'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
    app = await electron.launch({
      executablePath: BIN.path!,
      args: [PROJECT_ROOT, `--user-data-dir=${userData}`, '--no-sandbox'],
      cwd: PROJECT_ROOT,
      env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
    });
    const page = await app.firstWindow();
    expect(await page.title()).toBe('MiSeRTrace Explorer');
    // Renderer: no Node, the preload's verbs only, a strict CSP.
    expect(await page.evaluate('typeof require')).toBe('undefined');
    expect(await page.evaluate('typeof process')).toBe('undefined');
    expect(await page.evaluate('Object.keys(window.explorer).sort().join(",")')).toContain('openBundle');
    expect(await page.evaluate('typeof window.explorer.ipcRenderer')).toBe('undefined');
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("script-src 'self'");
    // Context isolation: the page cannot replace the bridge's functions.
    expect(await page.evaluate('(() => { try { window.explorer.openBundle = null; } catch { } return typeof window.explorer.openBundle; })()')).toBe('function');
    // First launch: the sample bundle's 50 traces.
    await expect.poll(() => page.locator('.row-count').textContent(), { timeout: 30_000 }).toBe('50 of 50 traces');
    // Navigation away and new windows are refused.
    await page.evaluate('window.open("https://example.invalid/")');
    expect(app.windows()).toHaveLength(1);
  }, 120_000);
});
