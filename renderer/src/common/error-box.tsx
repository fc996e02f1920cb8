import type { AppError } from '../../../electron/ipc-contract.js';

/** An expected failure shown where it happened: what went wrong and what to do next. */
export function ErrorBox({ title, error, children }: { title: string; error: AppError; children?: React.ReactNode }) {
  return (
    <div className="error-box" role="alert" data-kind={error.kind}>
      <div className="error-title">{title}</div>
      <div className="error-message">{error.message}</div>
      {error.hint !== undefined && <div className="error-hint">What to do: {error.hint}</div>}
      {children}
    </div>
  );
}
