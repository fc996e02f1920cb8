import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PageWindow } from '../../capture/ftrace/page-window.js';

// The conversion reads each stream's pages through a window (page-window.ts): the pages it hands
// out must be the file's bytes, stay intact while the reader holds them after later windows are
// read, and a page cut by the file's end is an error, not garbage.

const PAGE = 4096;
const dir = mkdtempSync(join(tmpdir(), 'mt-page-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `n` pages, page i filled with its own number (as a 32-bit word, repeated). */
function pagesFile(n: number, cut = 0): string {
  const buf = Buffer.alloc(n * PAGE);
  for (let i = 0; i < n; i++) for (let o = 0; o < PAGE; o += 4) buf.writeUInt32LE(i, i * PAGE + o);
  const path = join(dir, `pages-${n}-${cut}`);
  writeFileSync(path, buf.subarray(0, buf.length - cut));
  return path;
}

describe('PageWindow', () => {
  it('hands out the pages of two interleaved streams across many windows, earlier pages left intact', () => {
    const n = 400; // 1.6 MB: several 256 KiB windows per stream
    const fd = openSync(pagesFile(n), 'r');
    try {
      const even = new PageWindow(fd, PAGE);
      const odd = new PageWindow(fd, PAGE);
      const held: { i: number; page: Buffer }[] = [];
      for (let i = 0; i < n; i++) held.push({ i, page: (i % 2 === 0 ? even : odd).page(i * PAGE) });
      // And backwards (a window starts at the page asked for, so going back reads a new one).
      held.push({ i: 3, page: odd.page(3 * PAGE) });
      for (const { i, page } of held) {
        expect(page.length).toBe(PAGE);
        expect(page.readUInt32LE(0)).toBe(i);
        expect(page.readUInt32LE(PAGE - 4)).toBe(i);
      }
    } finally {
      closeSync(fd);
    }
  });

  it('refuses a page that the file cuts', () => {
    const fd = openSync(pagesFile(3, 100), 'r');
    try {
      const w = new PageWindow(fd, PAGE);
      expect(w.page(PAGE).readUInt32LE(0)).toBe(1);
      expect(() => w.page(2 * PAGE)).toThrow(/ends inside the page at byte 8192/);
    } finally {
      closeSync(fd);
    }
  });
});
