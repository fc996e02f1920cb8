import { openBundlePath, pickAndOpenBundle } from '../actions/bundle-actions.js';
import { useSession } from '../stores/session-store.js';
import { RecentList } from './recent-list.js';

export function StartScreen() {
  const startup = useSession((s) => s.startup);
  const bundle = useSession((s) => s.bundle);
  const opening = useSession((s) => s.opening);
  const setScreen = useSession((s) => s.setScreen);
  return (
    <main className="start-screen" aria-label="Start">
      <section className="start-hero">
        <h1>MiSeRTrace Explorer</h1>
        <p className="muted">Kernel-level request traces of Docker microservices: capture, explore, export.</p>
      </section>
      <section className="start-actions">
        <button type="button" className="action-card" onClick={() => void pickAndOpenBundle()} disabled={opening !== null}>
          <span className="action-title">Open bundle…</span>
          <span className="action-text">A .mstrace file from a capture or `misertrace generate`. You can also drop it on this window.</span>
        </button>
        <button type="button" className="action-card" onClick={() => setScreen('capture')}>
          <span className="action-title">New capture</span>
          <span className="action-text">Trace a Docker network with bpftrace or ftrace and build a bundle.</span>
        </button>
        {startup?.samplePath != null && (
          <button type="button" className="action-card" onClick={() => void openBundlePath(startup.samplePath!)} disabled={opening !== null}>
            <span className="action-title">Open the sample</span>
            <span className="action-text">50 real requests through a 4-service app, captured with bpftrace.</span>
          </button>
        )}
      </section>
      {bundle !== null && (
        <p>
          <button type="button" className="link-button" onClick={() => setScreen('traces')}>
            Back to {bundle.fileName}
          </button>
        </p>
      )}
      {opening !== null && <p className="muted" role="status">Opening {opening}…</p>}
      <section className="start-recent">
        <h2>Recent bundles</h2>
        <RecentList />
      </section>
    </main>
  );
}
