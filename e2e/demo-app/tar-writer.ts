import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

// A minimal ustar writer, enough to assemble a container root file system for `docker import`:
// directories, regular files (streamed from the host or given inline) and symlinks.

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; source: string }
  | { type: 'file'; path: string; mode?: number; content: string | Buffer }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;

function header(path: string, mode: number, size: number, typeflag: string, linkname = ''): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1 - 0);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar: path too long: ${path}`);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii'); // uid root
  h.write('0000000\0', 116, 8, 'ascii'); // gid root
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces while summing
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/** The archive as a stream; host files are read lazily, one at a time. */
export function tarStream(entries: readonly TarEntry[]): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    for (const e of entries) {
      const path = e.path.replace(/^\/+/, '');
      if (e.type === 'dir') {
        yield header(`${path.replace(/\/?$/, '/')}`, e.mode ?? 0o755, 0, '5');
      } else if (e.type === 'symlink') {
        yield header(path, 0o777, 0, '2', e.target);
      } else if ('content' in e) {
        const data = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : e.content;
        yield header(path, e.mode ?? 0o644, data.length, '0');
        yield data;
        yield padding(data.length);
      } else {
        const size = statSync(e.source).size;
        yield header(path, e.mode ?? 0o755, size, '0');
        let sent = 0;
        for await (const chunk of createReadStream(e.source)) {
          sent += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (sent !== size) throw new Error(`tar: ${e.source} changed size while being archived`);
        yield padding(size);
      }
    }
    yield Buffer.alloc(BLOCK * 2, 0);
  }
  return Readable.from(gen(), { objectMode: false });
}
