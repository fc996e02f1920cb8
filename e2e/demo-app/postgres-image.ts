import { existsSync, realpathSync } from 'node:fs';
import { findBusybox, sharedLibraries } from './demo-images.js';
import type { TarEntry } from './tar-writer.js';
import { dirTree, withDirs } from './third-party-images.js';

// The database of the demo app: Debian's PostgreSQL 15, a postmaster forking one backend process
// per connection. The image holds the server binaries, their `ldd` libraries, the share
// directory initdb reads, and busybox's sh; the cluster is made at container start, as the
// non-root user `postgres` (the server refuses root), with trust auth for the app's network.

const PG = '/usr/lib/postgresql/15';
const SHARE = '/usr/share/postgresql/15';
/** Modules initdb loads (procedural language, text search dictionaries). */
const MODULES = ['plpgsql.so', 'dict_snowball.so'];
export const PG_UID = 70;

export async function postgresRootfs(): Promise<TarEntry[]> {
  if (!existsSync(`${PG}/bin/postgres`)) throw new Error(`${PG}/bin/postgres not found: install Debian's postgresql-15 (apt-get install -y postgresql-15, or scripts/setup-machine.sh)`);
  const bins = [`${PG}/bin/postgres`, `${PG}/bin/initdb`, ...MODULES.map((m) => `${PG}/lib/${m}`)];
  const libs = new Set<string>();
  for (const b of bins) for (const l of await sharedLibraries(b)) libs.add(l);
  const files: TarEntry[] = [
    ...bins.map((b): TarEntry => ({ type: 'file', path: b, source: b, mode: 0o755 })),
    ...[...libs].map((l): TarEntry => ({ type: 'file', path: l, source: realpathSync(l), mode: 0o755 })),
    ...dirTree(SHARE),
    { type: 'file', path: '/usr/share/zoneinfo/UTC', source: realpathSync('/usr/share/zoneinfo/UTC'), mode: 0o644 },
    { type: 'file', path: '/bin/busybox', source: realpathSync(findBusybox()), mode: 0o755 },
    ...['sh', 'cat'].map((a): TarEntry => ({ type: 'symlink', path: `/bin/${a}`, target: 'busybox' })),
    { type: 'file', path: '/etc/passwd', content: `root:x:0:0:root:/root:/bin/sh\npostgres:x:${PG_UID}:${PG_UID}:postgres:/tmp:/bin/sh\n`, mode: 0o644 },
    { type: 'file', path: '/etc/group', content: `root:x:0:\npostgres:x:${PG_UID}:\n`, mode: 0o644 },
  ];
  return withDirs(files, ['/tmp', '/var/run/postgresql']);
}

/** Makes the cluster (a second or two) and runs the postmaster in the foreground. */
export const POSTGRES_CMD = [
  '/bin/sh',
  '-c',
  [
    `${PG}/bin/initdb -D /tmp/pg -U postgres --auth=trust --locale=C -E UTF8 >/tmp/initdb.log 2>&1 || { cat /tmp/initdb.log; exit 1; }`,
    `echo 'host all all 0.0.0.0/0 trust' >> /tmp/pg/pg_hba.conf`,
    `exec ${PG}/bin/postgres -D /tmp/pg -c listen_addresses='*' -c port=5432 -c unix_socket_directories=/tmp -c fsync=off -c max_connections=100`,
  ].join(' && '),
];
