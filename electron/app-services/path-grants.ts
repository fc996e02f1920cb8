import { AppFailure } from './app-error.js';

// Paths reach main only from main (issue 16, docs/adr/0056): a dialog main opened, the start-up
// file or sample, a file the OS asked to open, the recent list main keeps, or a file the user
// dropped (the preload passes on what Electron gives for a real drop). The renderer sends such a
// path back as it got it; any other string is refused before the file system is touched, so a
// compromised renderer can neither read or overwrite a file of its choosing nor learn whether a
// path exists.

export type GrantPurpose = 'open' | 'probe-file' | 'capture-output';

const WHAT: Record<GrantPurpose, string> = {
  open: 'a bundle to open',
  'probe-file': 'a custom probe file',
  'capture-output': "a capture's output",
};

export class PathGrants {
  private readonly granted = new Map<string, Set<GrantPurpose>>();

  allow(path: string | null | undefined, ...purposes: GrantPurpose[]): void {
    if (typeof path !== 'string' || path === '') return;
    let set = this.granted.get(path);
    if (set === undefined) this.granted.set(path, (set = new Set()));
    for (const p of purposes) set.add(p);
  }

  allows(path: string, purpose: GrantPurpose): boolean {
    return this.granted.get(path)?.has(purpose) === true;
  }

  /** Throws unless main handed out `path` for `purpose`; the message never depends on the file. */
  require(path: string, purpose: GrantPurpose): void {
    if (this.allows(path, purpose)) return;
    throw new AppFailure('invalid-request', `${WHAT[purpose]} must be chosen in the app's own dialog (or dropped on its window)`, 'use the app’s Open / Save dialog');
  }
}
