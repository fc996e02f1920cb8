import { closeSync, openSync, readSync } from 'node:fs';

// Told apart by their first bytes before anything else loads: a command given a bundle loads the
// bundle reader only then (the reader and what it pulls in were a quarter of generate's start-up).

/** Whether `path` starts like an SQLite file (a bundle, or something that claims to be one). */
export function isSqliteFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // the caller reports the file as it would any input
  }
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}
