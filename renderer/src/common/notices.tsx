import { useNotices } from '../stores/notice-store.js';

// The message area: every expected failure says what happened and what to do. Messages stay
// until dismissed, so nothing important scrolls away unseen.

export function Notices() {
  const notices = useNotices((s) => s.notices);
  const dismiss = useNotices((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="region" aria-label="Messages">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-kind={n.kind ?? ''}>
          <div className="notice-body">
            <div className="notice-title">{n.title}</div>
            <div className="notice-message">{n.message}</div>
            {n.hint !== null && <div className="notice-hint">What to do: {n.hint}</div>}
          </div>
          <button type="button" className="notice-close" aria-label="Dismiss message" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
