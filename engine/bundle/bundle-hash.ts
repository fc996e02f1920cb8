import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';

// SHA-256 of a bundle file, as `sha256sum B.mstrace` prints it: the figure's metadata names the
// bundle it was drawn from by this hash (docs/adr/0095). Bundles are opened read-only for
// figures, so the bytes do not change under us; the hash is kept per path, size and mtime so the
// editor's live preview does not read a 100 MB bundle again on every keystroke.

const cache = new Map<string, { size: number; mtimeMs: number; hex: string }>();
const MAX_CACHED = 32;

function cached(path: string): { hit: string | null; size: number; mtimeMs: number } {
  const st = statSync(path);
  const c = cache.get(path);
  return { hit: c !== undefined && c.size === st.size && c.mtimeMs === st.mtimeMs ? c.hex : null, size: st.size, mtimeMs: st.mtimeMs };
}

function remember(path: string, size: number, mtimeMs: number, hex: string): string {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(path, { size, mtimeMs, hex });
  return hex;
}

/** Synchronous (the engine's jobs are): reads the file whole in 8 MiB steps. */
export function bundleSha256Sync(path: string): string {
  const c = cached(path);
  if (c.hit !== null) return c.hit;
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return remember(path, c.size, c.mtimeMs, h.digest('hex'));
}

export async function bundleSha256(path: string): Promise<string> {
  const c = cached(path);
  if (c.hit !== null) return c.hit;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 })) h.update(chunk as Buffer);
  return remember(path, c.size, c.mtimeMs, h.digest('hex'));
}
