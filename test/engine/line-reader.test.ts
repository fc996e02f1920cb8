import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readByteChunks } from '../../engine/records/line-reader.js';

// The reader reads the next chunk into a second buffer while the consumer parses the current
// one: every chunk must still be whole lines, in file order, with nothing lost or repeated,
// whatever the lines' lengths against the chunk size.

const dir = mkdtempSync(join(tmpdir(), 'line-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function chunksOf(text: string, chunkBytes: number): Promise<string[]> {
  const path = join(dir, `f-${chunkBytes}-${text.length}.psv`);
  writeFileSync(path, text);
  const out: string[] = [];
  for await (const c of readByteChunks(path, { chunkBytes })) out.push(c.buf.toString('latin1', 0, c.end));
  return out;
}

describe('readByteChunks', () => {
  // Short lines, lines of exactly a chunk, lines several chunks long, and no final newline.
  const lines = ['a|1', 'bb|22', 'x'.repeat(16), 'y'.repeat(50), '', 'c|3', 'z'.repeat(33), 'last'];
  const text = lines.join('\n');

  for (const chunkBytes of [1, 4, 16, 17, 64, 1 << 20]) {
    it(`gives back the file as whole lines in order (chunks of ${chunkBytes} bytes)`, async () => {
      const chunks = await chunksOf(text, chunkBytes);
      expect(chunks.join('')).toBe(text);
      // Every chunk but the last ends at a newline; only the last may end without one.
      for (const c of chunks.slice(0, -1)) expect(c.endsWith('\n')).toBe(true);
      expect(chunks.at(-1)!.endsWith('last')).toBe(true);
    });
  }

  it('reports the bytes read so far with each chunk, the whole file by the last', async () => {
    const path = join(dir, 'progress.psv');
    const body = 'p|1\n'.repeat(1000);
    writeFileSync(path, body);
    const seen: number[] = [];
    for await (const c of readByteChunks(path, { chunkBytes: 256 })) seen.push(c.bytesRead);
    expect(seen.at(-1)).toBe(body.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
  });

  it('stops cleanly when the consumer stops early, a read still under way', async () => {
    const path = join(dir, 'early.psv');
    writeFileSync(path, 'q|1\n'.repeat(10_000));
    let first = '';
    for await (const c of readByteChunks(path, { chunkBytes: 64 })) {
      first = c.buf.toString('latin1', 0, c.end);
      break;
    }
    expect(first).toBe('q|1\n'.repeat(16));
    // The file was closed: it can be removed and read again from the start.
    const again: string[] = [];
    for await (const c of readByteChunks(path, { chunkBytes: 1 << 20 })) again.push(c.buf.toString('latin1', 0, c.end));
    expect(again.join('')).toBe('q|1\n'.repeat(10_000));
  });

  it('still refuses a binary file at its first chunk', async () => {
    const path = join(dir, 'binary.psv');
    writeFileSync(path, Buffer.from([65, 0, 66, 10]));
    await expect(async () => {
      for await (const _ of readByteChunks(path)) void _;
    }).rejects.toThrow(/not a text trace \(binary data at byte 1\)/);
  });
});
