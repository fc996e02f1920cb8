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
