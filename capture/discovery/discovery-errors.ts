import { InputError } from '../../engine/model/meta.js';

// Expected failures of discovery: shown to the user with what to do, never with a stack.
// `exitCode` 3 is the CLI's "environment not ready".

export type DiscoveryErrorCode =
  | 'docker-unreachable'
  | 'docker-permission'
  | 'docker-api'
  | 'unknown-network'
  | 'no-containers'
  | 'container-stopped'
  | 'proc-unreadable';

export class DiscoveryError extends InputError {
  readonly exitCode = 3;
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'DiscoveryError';
  }
}
