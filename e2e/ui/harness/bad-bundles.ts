import Database from 'better-sqlite3';
import { copyFileSync, openSync, readFileSync, statSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { FORMAT_VERSION } from '../../../engine/bundle/bundle-schema.js';

// Broken inputs made from a real bundle, each the way it happens to users: a damaged copy, a file
// that is not a bundle, a bundle from a newer version of the app, a download cut short.

/** Overwrites the b-tree pages after the first two with noise: the header stays valid. */
export function corruptCopy(src: string, dst: string): string {
  copyFileSync(src, dst);
  const head = readFileSync(dst).subarray(0, 100);
  const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
  const size = statSync(dst).size;
  const fd = openSync(dst, 'r+');
  try {
    const noise = Buffer.alloc(pageSize);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 151 + 7) & 0xff;
    for (let off = pageSize * 2; off < size; off += pageSize * 2) writeSync(fd, noise, 0, pageSize, off);
  } finally {
    closeSync(fd);
  }
  return dst;
}

export function notABundle(dst: string): string {
  writeFileSync(dst, 'comm|tid|nsecs|cpu|probe\nnode|1|2|0|MT:tcp_send\n');
  return dst;
}

/** SQLite's user_version (header offset 60) holds our format version. */
export function newerVersionCopy(src: string, dst: string): string {
  copyFileSync(src, dst);
  const fd = openSync(dst, 'r+');
  try {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(FORMAT_VERSION + 1);
    writeSync(fd, b, 0, 4, 60);
  } finally {
    closeSync(fd);
  }
  return dst;
}

export function truncatedCopy(src: string, dst: string): string {
  const data = readFileSync(src);
  writeFileSync(dst, data.subarray(0, Math.floor(data.length / 2)));
  return dst;
}

export function foreignSqlite(dst: string): string {
  const db = new Database(dst);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES (\'hello\');');
  db.close();
  return dst;
}
