import { InputError } from '../../engine/model/meta.js';

// Expected failures of a capture, each with what to do. `exitCode` is what the CLI exits with:
// 3 (environment not ready) unless said otherwise.

export type CaptureErrorCode =
  | 'not-privileged'
  | 'auth-cancelled'
  | 'auth-failed'
  | 'backend-missing'
  | 'probe-rejected'
  | 'attach-timeout'
  | 'child-failed'
  | 'output-unwritable'
  | 'no-records'
  | 'tracefs';

export class CaptureError extends InputError {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    hint?: string,
    readonly exitCode: number = code === 'output-unwritable' ? 2 : 3,
  ) {
    super(message, hint);
    this.name = 'CaptureError';
  }
}
