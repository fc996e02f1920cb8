import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

// Rasterizes SVG for the figure tests: librsvg (Debian librsvg2-bin) and, as a second,
// independent renderer, headless Chromium. Pixels come back as RGBA.

export interface Raster {
  width: number;
  height: number;
  data: Buffer;
}

export const RSVG = '/usr/bin/rsvg-convert';
export const CHROMIUM = '/usr/bin/chromium';

export function requireRsvg(): void {
  if (!existsSync(RSVG)) throw new Error(`${RSVG} is missing: install Debian's librsvg2-bin (apt-get install -y librsvg2-bin) to run the figure tests`);
}

export function rsvgPng(svg: string, zoom = 1): Buffer {
  requireRsvg();
  return execFileSync(RSVG, ['--zoom', String(zoom), '--format', 'png'], { input: svg, maxBuffer: 1 << 28 });
}

export function decodePng(png: Buffer): Raster {
  const img = PNG.sync.read(png);
  return { width: img.width, height: img.height, data: img.data };
}

/** Chromium's rendering of an SVG document at its own size (a screenshot of the file). */
export function chromiumPng(svg: string, width: number, height: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-chromium-'));
  try {
    const file = join(dir, 'figure.svg');
    const shot = join(dir, 'shot.png');
    writeFileSync(file, svg);
    execFileSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--hide-scrollbars',
        '--force-device-scale-factor=1',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--window-size=${width},${height}`,
        `--screenshot=${shot}`,
        `file://${file}`,
      ],
      { stdio: 'pipe', timeout: 60_000 },
    );
    return readFileSync(shot);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pixel(r: Raster, x: number, y: number): [number, number, number, number] {
  const i = (Math.round(y) * r.width + Math.round(x)) * 4;
  return [r.data[i]!, r.data[i + 1]!, r.data[i + 2]!, r.data[i + 3]!];
}

export function hexRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

export function near(a: readonly number[], b: readonly number[], tol: number): boolean {
  return a.every((v, i) => i >= b.length || Math.abs(v - b[i]!) <= tol);
}

/** Share of pixels whose channels differ by more than `threshold`, and the mean absolute difference. */
export function compareRasters(a: Raster, b: Raster, threshold = 64): { differing: number; meanAbs: number } {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let diff = 0;
  let sum = 0;
  const n = a.width * a.height;
  for (let i = 0; i < n; i++) {
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[i * 4 + c]! - b.data[i * 4 + c]!);
      sum += d;
      worst = Math.max(worst, d);
    }
    if (worst > threshold) diff++;
  }
  return { differing: diff / n, meanAbs: sum / (n * 3) };
}
