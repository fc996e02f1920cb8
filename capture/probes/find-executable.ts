import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

// Finds a program the way a shell would, on a PATH we are given (tests pass one without
// bpftrace): the absolute path is what we hand to sudo/pkexec, whose PATH may differ.

export function findExecutable(name: string, pathEnv = process.env['PATH'] ?? ''): string | null {
  const candidates = isAbsolute(name) ? [name] : pathEnv.split(delimiter).filter((d) => d !== '').map((d) => join(d, name));
  for (const p of candidates) {
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // Not there or not executable: try the next directory, as a shell does.
    }
  }
  return null;
}
