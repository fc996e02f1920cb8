import { forgetRecent, openBundlePath } from '../actions/bundle-actions.js';
import { useSession } from '../stores/session-store.js';

export function RecentList() {
  const recent = useSession((s) => s.recent);
  const opening = useSession((s) => s.opening);
  if (recent.length === 0) return <p className="muted">No recent bundles yet. Bundles you open appear here.</p>;
  return (
    <ul className="recent-list" aria-label="Recent bundles">
      {recent.map((r) => (
        <li key={r.path} className={r.exists ? '' : 'recent-missing'}>
          <button type="button" className="recent-open" disabled={!r.exists || opening !== null} onClick={() => void openBundlePath(r.path)} title={r.path}>
            <span className="recent-name">{r.fileName}</span>
            <span className="recent-path">{r.path}</span>
          </button>
          <span className="recent-when">{r.exists ? new Date(r.openedAt).toLocaleString() : 'file not found'}</span>
          <button type="button" className="icon-button" aria-label={`Remove ${r.fileName} from the list`} onClick={() => void forgetRecent(r.path)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
