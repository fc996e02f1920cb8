import { useEffect, useState } from 'react';

// Copies a text to the clipboard and says so for a moment. The label names what is copied, so
// a row of them stays readable to a screen reader.

export function CopyButton({ text, label, children }: { text: string; label: string; children?: React.ReactNode }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="copy-button"
      aria-label={label}
      title={label}
      data-copy={text}
      onClick={() => {
        const done = navigator.clipboard?.writeText(text);
        if (done === undefined) setState('failed');
        else done.then(() => setState('copied'), () => setState('failed'));
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Not copied' : (children ?? 'Copy')}
    </button>
  );
}
