import { useEffect, useRef, useState } from 'react';
import { answerPrompt } from '../actions/capture-actions.js';
import { useCapture } from '../stores/capture-store.js';

// The password prompt of sudo/pkexec, asked in the app's own dialog. The password lives only in
// this component's state until it is sent, and is cleared at once.

export function PrivilegePrompt() {
  const prompt = useCapture((s) => s.session?.prompt ?? null);
  const [password, setPassword] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setPassword('');
    if (prompt !== null) input.current?.focus();
  }, [prompt]);
  if (prompt === null) return null;
  const send = (value: string | null) => {
    setPassword('');
    void answerPrompt(value);
  };
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Password needed"
        onSubmit={(e) => {
          e.preventDefault();
          send(password);
        }}
      >
        <h2>Tracing needs root rights</h2>
        <p>{prompt.message}</p>
        <p className="muted">
          {prompt.tool} asks for your password. It goes to {prompt.tool} only and is never stored or logged.
        </p>
        <input ref={input} type="password" autoComplete="off" aria-label="Password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <div className="row-gap modal-buttons">
          <button type="button" onClick={() => send(null)}>
            Cancel capture
          </button>
          <button type="submit" className="primary" disabled={password === ''}>
            Authenticate
          </button>
        </div>
      </form>
    </div>
  );
}
