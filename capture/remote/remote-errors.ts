import { InputError } from '../../engine/model/meta.js';

// Expected failures of a remote host: shown with what to do, never with a stack. `exitCode` 3 is
// the CLI's "environment not ready", 2 a bad --host.

export type RemoteErrorCode =
  | 'bad-target'
  | 'unreachable'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'auth-failed'
  | 'auth-cancelled'
  | 'disconnected'
  | 'not-privileged'
  | 'remote-command'
  | 'host-short';

export class RemoteError extends InputError {
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    hint?: string,
    readonly exitCode: number = code === 'bad-target' ? 2 : 3,
  ) {
    super(message, hint);
    this.name = 'RemoteError';
  }
}
