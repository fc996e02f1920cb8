import { useEffect, useState } from 'react';
import { useNotices, type Notice } from '../stores/notice-store.js';

// The message area, in the page's flow under the top bar: it pushes the screen down instead of
// covering it. Every expected failure says what happened and what to do; messages leave by
// themselves after a while (paused while pointed at or focused) or with ×.

export function Notices() {
  const notices = useNotices((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="region" aria-label="Messages">
      {notices.map((n) => (
        <NoticeItem key={n.id} n={n} />
      ))}
    </div>
  );
}

function NoticeItem({ n }: { n: Notice }) {
  const dismiss = useNotices((s) => s.dismiss);
  const [held, setHeld] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (held || n.ttlMs === null) return;
    const t = setTimeout(() => dismiss(n.id), n.ttlMs);
    return () => clearTimeout(t);
  }, [held, n.id, n.ttlMs, dismiss]);
  return (
    <div
      className={`notice notice-${n.level}`}
      role={n.level === 'error' ? 'alert' : 'status'}
      data-kind={n.kind ?? ''}
      onPointerEnter={() => setHeld(true)}
      onPointerLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <div className="notice-body">
        <div className="notice-title">{n.title}</div>
        <div className="notice-message">{n.message}</div>
        {n.hint !== null && <div className="notice-hint">What to do: {n.hint}</div>}
        {n.command !== null && (
          <div className="notice-command">
            <code>{n.command}</code>
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(n.command!).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        )}
      </div>
      <button type="button" className="notice-close" aria-label="Dismiss message" onClick={() => dismiss(n.id)}>
        ×
      </button>
    </div>
  );
}
