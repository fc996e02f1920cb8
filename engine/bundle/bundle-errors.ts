import { InputError } from '../model/meta.js';

export class BundleError extends InputError {
  constructor(
    readonly path: string,
    readonly reason: 'missing' | 'not-a-bundle' | 'truncated' | 'corrupt' | 'newer-version' | 'incomplete',
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'BundleError';
  }
}

/** A trace id the bundle does not hold (a host's stale or mistyped id). */
export class TraceMissingError extends InputError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'TraceMissingError';
  }
}
