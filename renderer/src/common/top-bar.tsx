import { useSession, type Screen } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { useCapture } from '../stores/capture-store.js';

// Navigation between the screens that currently make sense.

export function TopBar() {
  const screen = useSession((s) => s.screen);
  const setScreen = useSession((s) => s.setScreen);
  const bundle = useSession((s) => s.bundle);
  const traceId = useTraceView((s) => s.detail?.traceId ?? null);
  const capturing = useCapture((s) => s.session !== null && !s.session.finished);
  const tab = (to: Screen, label: string, enabled = true) => (
    <button type="button" className={`tab${screen === to ? ' tab-active' : ''}`} aria-current={screen === to ? 'page' : undefined} disabled={!enabled} onClick={() => setScreen(to)}>
      {label}
    </button>
  );
  return (
    <header className="top-bar">
      <span className="brand">MiSeRTrace Explorer</span>
      <nav aria-label="Screens">
        {tab('start', 'Start')}
        {tab('capture', capturing ? 'Capture ●' : 'Capture')}
        {tab('traces', bundle !== null ? `Traces (${bundle.traceCount})` : 'Traces', bundle !== null)}
        {tab('trace', traceId !== null ? `Trace #${traceId}` : 'Trace', traceId !== null)}
      </nav>
      {bundle !== null && (
        <span className="top-file" title={bundle.path}>
          {bundle.fileName}
        </span>
      )}
    </header>
  );
}
