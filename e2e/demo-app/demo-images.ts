import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { tarStream, type TarEntry } from './tar-writer.js';

// The demo app's two images, built locally with `docker import` from root file systems we
// assemble (no registry is reachable): the host's node binary plus the libraries `ldd` lists,
// and Debian's static busybox for httpd + CGI.

/** The services' sources, beside this file in the source tree (also when running compiled from dist/). */
export function servicesDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const c of [join(d, 'services'), join(d, 'e2e', 'demo-app', 'services')]) if (existsSync(join(c, 'frontend.mjs'))) return c;
    d = dirname(d);
  }
  throw new Error('e2e/demo-app/services not found beside the program');
}
const SERVICES_DIR = servicesDir();
const run = promisify(execFile);

/** Shared libraries a binary needs, as `ldd` lists them (absolute paths, vdso excluded). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  let out: string;
  try {
    out = (await run('ldd', [binary])).stdout;
  } catch (e) {
    // `ldd` exits 1 on a static binary ("not a dynamic executable"): nothing to copy.
    const text = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(text)) return [];
    throw e;
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

function dirsOf(paths: readonly string[]): TarEntry[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    let d = dirname(p);
    while (d !== '/' && d !== '.') {
      dirs.add(d);
      d = dirname(d);
    }
  }
  return [...dirs].sort().map((d) => ({ type: 'dir', path: d }));
}

export async function nodeRootfs(nodeBinary = process.execPath): Promise<TarEntry[]> {
  const libs = await sharedLibraries(nodeBinary);
  const files: TarEntry[] = [
    { type: 'file', path: '/usr/bin/node', source: realpathSync(nodeBinary), mode: 0o755 },
    ...libs.map((l): TarEntry => ({ type: 'file', path: l, source: realpathSync(l), mode: 0o755 })),
    ...['frontend.mjs', 'inventory.mjs', 'kvstore.mjs', 'ground-truth.mjs', 'shared-connection.mjs', 'postgres-client.mjs'].map(
      (f): TarEntry => ({ type: 'file', path: `/app/${f}`, source: join(SERVICES_DIR, f), mode: 0o644 }),
    ),
  ];
  return [...dirsOf([...files.map((f) => f.path), '/tmp/x', '/etc/x']), ...files];
}

export const BUSYBOX_APPLETS = ['sh', 'httpd', 'wget', 'sed', 'cat', 'echo', 'ls', 'ps', 'sleep'];

export function busyboxRootfs(busybox = '/bin/busybox'): TarEntry[] {
  if (!existsSync(busybox)) throw new Error(`${busybox} not found: install Debian's busybox-static`);
  const files: TarEntry[] = [
    { type: 'file', path: '/bin/busybox', source: realpathSync(busybox), mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): TarEntry => ({ type: 'symlink', path: `/bin/${a}`, target: 'busybox' })),
    { type: 'file', path: '/www/cgi-bin/item', source: join(SERVICES_DIR, 'item.cgi'), mode: 0o755 },
    { type: 'file', path: '/www/index.html', content: '<p>mtdemo catalog</p>\n', mode: 0o644 },
  ];
  return [...dirsOf([...files.map((f) => f.path), '/tmp/x', '/etc/x']), ...files];
}

/** Imports a root file system as `repo:tag` with labels; resolves when Docker has finished. */
export async function importImage(docker: Docker, entries: readonly TarEntry[], repo: string, tag: string, labels: Record<string, string> = {}): Promise<void> {
  // `changes` takes Dockerfile instructions: the labels let a later run find images left behind.
  const changes = Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`);
  const progress = await docker.importImage(tarStream(entries), { repo, tag, changes } as object);
  await new Promise<void>((resolve, reject) => {
    let failure: string | null = null;
    let carry = '';
    progress.on('data', (chunk: Buffer) => {
      carry += chunk.toString('utf8');
      for (const line of carry.split('\n').slice(0, -1)) {
        try {
          const msg = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
          if (msg.error) failure = msg.errorDetail?.message ?? msg.error;
        } catch {
          // Docker's progress is JSON lines; anything else is not a verdict either way.
        }
      }
      carry = carry.slice(carry.lastIndexOf('\n') + 1);
    });
    progress.on('error', reject);
    progress.on('end', () => (failure ? reject(new Error(`docker import ${repo}:${tag}: ${failure}`)) : resolve()));
  });
}

/** `busybox` on PATH or the Debian location, whichever exists. */
export function findBusybox(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(p)) return p;
  throw new Error('busybox not found: install Debian\'s busybox-static (apt-get install -y busybox-static)');
}
