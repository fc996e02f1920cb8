import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sharedLibraries, servicesDir } from './demo-images.js';
import type { TarEntry } from './tar-writer.js';

// Root file systems for the third-party servers of the demo app, from the host's Debian packages
// (scripts/setup-machine.sh installs them): the binary, the libraries `ldd` lists, a config we
// write. Peers are named by their role (network aliases), so the configs are the same every run.
//   proxy: nginx, a master and 2 epoll workers, keep-alive upstream to the inventory
//   redis: redis-server, single-threaded, no persistence
//   pricing: Debian's python3 and its standard library, our thread-pool server (services/pricing.py)

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

export const NGINX_CONF = `daemon off;
master_process on;
worker_processes 2;
error_log stderr warn;
pid /tmp/nginx.pid;
events { worker_connections 1024; use epoll; }
http {
  access_log off;
  client_body_temp_path /tmp/body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  upstream inventory { server inventory:8080; keepalive 16; }
  server {
    listen 8080;
    location = /health { return 200 'ok'; }
    location / {
      proxy_pass http://inventory;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;

function need(binary: string, pkg: string): string {
  if (!existsSync(binary)) throw new Error(`${binary} not found: install Debian's ${pkg} (apt-get install -y ${pkg}, or scripts/setup-machine.sh)`);
  return binary;
}

/** Directories for every path, parents first. */
export function withDirs(files: readonly TarEntry[], extra: readonly string[] = []): TarEntry[] {
  const dirs = new Set<string>();
  for (const p of [...files.map((f) => f.path), ...extra.map((d) => `${d}/x`)]) {
    for (let d = dirname(p); d !== '/' && d !== '.'; d = dirname(d)) dirs.add(d);
  }
  return [...[...dirs].sort().map((d): TarEntry => ({ type: 'dir', path: d, mode: d === '/tmp' ? 0o1777 : 0o755 })), ...files];
}

/** Every file and symlink under `dir`, skipping directories named in `skip`. */
export function dirTree(dir: string, skip: ReadonlySet<string> = new Set()): TarEntry[] {
  const out: TarEntry[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) {
      if (!skip.has(name)) out.push(...dirTree(p, skip));
    } else if (st.isSymbolicLink()) out.push({ type: 'symlink', path: p, target: readlinkSync(p) });
    else out.push({ type: 'file', path: p, source: p, mode: st.mode & 0o777 });
  }
  return out;
}

async function binaryWithLibs(binary: string, at: string): Promise<TarEntry[]> {
  const libs = await sharedLibraries(binary);
  return [
    { type: 'file', path: at, source: realpathSync(binary), mode: 0o755 },
    ...libs.map((l): TarEntry => ({ type: 'file', path: l, source: realpathSync(l), mode: 0o755 })),
  ];
}

export async function nginxRootfs(): Promise<TarEntry[]> {
  const files = [
    ...(await binaryWithLibs(need('/usr/sbin/nginx', 'nginx-light'), '/usr/sbin/nginx')),
    { type: 'file', path: '/etc/nginx/nginx.conf', content: NGINX_CONF, mode: 0o644 } as TarEntry,
    { type: 'file', path: '/etc/passwd', content: PASSWD, mode: 0o644 } as TarEntry,
    { type: 'file', path: '/etc/group', content: GROUP, mode: 0o644 } as TarEntry,
  ];
  return withDirs(files, ['/tmp', '/var/lib/nginx', '/var/log/nginx', '/run']);
}

export async function redisRootfs(): Promise<TarEntry[]> {
  // redis-server is a symlink to redis-check-rdb, which acts by its name: the copy is named redis-server.
  const files = [...(await binaryWithLibs(need('/usr/bin/redis-server', 'redis-server'), '/usr/bin/redis-server')), { type: 'file', path: '/etc/passwd', content: PASSWD, mode: 0o644 } as TarEntry];
  return withDirs(files, ['/tmp', '/data']);
}

export const REDIS_CMD = ['/usr/bin/redis-server', '--port', '6379', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', '/data', '--hz', '1'];

const PYTHON_LIB = '/usr/lib/python3.11';
/** Parts of the standard library a small HTTP server never imports. */
const PYTHON_SKIP = new Set(['test', 'idlelib', 'tkinter', 'ensurepip', 'lib2to3', 'dist-packages', 'site-packages', 'turtledemo', 'pydoc_data']);

export async function pythonRootfs(): Promise<TarEntry[]> {
  const stdlib = dirTree(need(PYTHON_LIB, 'python3'), PYTHON_SKIP);
  const libs = new Set(await sharedLibraries(need('/usr/bin/python3.11', 'python3')));
  // Extension modules (lib-dynload) bring their own libraries (libssl, libffi, ...).
  for (const e of stdlib) if (e.type === 'file' && e.path.endsWith('.so')) for (const l of await sharedLibraries(e.path)) libs.add(l);
  const files: TarEntry[] = [
    { type: 'file', path: '/usr/bin/python3', source: '/usr/bin/python3.11', mode: 0o755 },
    ...[...libs].map((l): TarEntry => ({ type: 'file', path: l, source: realpathSync(l), mode: 0o755 })),
    ...stdlib,
    { type: 'file', path: '/app/pricing.py', source: join(servicesDir(), 'pricing.py'), mode: 0o644 },
  ];
  return withDirs(files, ['/tmp']);
}
