import { cancelCapture, finishCapture, resetSession, resumeCapture, stopCapture } from '../actions/capture-actions.js';
import { probeEventName } from '../../../engine/model/record.js';
import { ErrorBox } from '../common/error-box.js';
import { formatBytes, formatCount, formatDuration } from '../common/format.js';
import { ProgressBar } from '../common/progress-bar.js';
import type { CaptureSessionState } from '../stores/capture-store.js';
import { liveRate } from './live-rate.js';

// A running capture: live figures while capturing; after Stop, the drain/sort/generate/write
// stages with progress and Cancel; then the result (opened as a bundle) or what went wrong.

const PHASE_TEXT: Record<string, string> = {
  preparing: 'Preparing the probes…',
  'awaiting-password': 'Waiting for your password…',
  attaching: 'Attaching probes…',
  capturing: 'Capturing: run your workload now',
  draining: 'Stopping: draining the last events…',
  sorting: 'Sorting records…',
  generating: 'Reconstructing request traces…',
  writing: 'Writing the bundle…',
  done: 'Done',
  failed: 'The capture failed',
  cancelled: 'Cancelled',
};

/** Phases in which the session can still be called off (the bundle build cannot be stopped midway). */
const CANCELLABLE = new Set(['preparing', 'awaiting-password', 'attaching', 'capturing']);

const STAGES: { key: string; label: string }[] = [
  { key: 'sort', label: 'Sort' },
  { key: 'generate', label: 'Generate traces' },
  { key: 'count', label: 'Count events per span' },
  { key: 'write', label: 'Write bundle' },
];

export function CaptureSessionView({ session }: { session: CaptureSessionState }) {
  const f = session.figures;
  const post = ['draining', 'sorting', 'generating', 'writing'].includes(session.phase);
  const probes = f === null ? [] : Object.entries(f.perProbe).sort((a, b) => b[1] - a[1]);
  // The ftrace backend counts kernel events while it captures; its records come after.
  const unit = f?.counting === 'events' ? 'Events' : 'Records';
  return (
    <section className="panel capture-session" aria-label="Capture session">
      <div className="panel-head">
        <h2 role="status" aria-live="polite" data-phase={session.lost ? 'connection-lost' : session.phase}>
          {session.lost ? `Connection to ${session.lost.host} lost` : (PHASE_TEXT[session.phase] ?? session.phase)}
        </h2>
        <div className="row-gap">
          {session.lost && (
            <>
              <button type="button" className="primary" disabled={session.resuming === true} onClick={() => void resumeCapture()} title="Connect again and capture on into the same bundle; the time between is marked as a gap">
                {session.resuming ? 'Resuming…' : 'Resume'}
              </button>
              <button type="button" disabled={session.resuming === true} onClick={() => void finishCapture()} title="Keep the partial bundle as it is and open it">
                Finish
              </button>
            </>
          )}
          {session.phase === 'capturing' && (
            <button type="button" className="primary" onClick={() => void stopCapture()}>
              Stop and build bundle
            </button>
          )}
          {CANCELLABLE.has(session.phase) && (
            <button type="button" onClick={() => void cancelCapture()} title={session.phase === 'capturing' ? 'Stop the tracer and throw this capture away' : 'Stop before anything is captured'}>
              {session.phase === 'capturing' ? 'Discard capture' : 'Cancel'}
            </button>
          )}
          {session.finished && (
            <button type="button" onClick={resetSession}>
              New capture
            </button>
          )}
        </div>
      </div>
      {session.detail !== null && !session.lost && <p className="muted">{session.detail}</p>}
      {session.lost && (
        <p className="warning" role="alert">
          {session.lost.reason.charAt(0).toUpperCase() + session.lost.reason.slice(1)}. The host stopped tracing by itself;{' '}
          {session.lost.bundlePath !== null ? `what arrived is saved in ${session.lost.bundlePath}. Resume connects again and captures on into the same bundle (the gap is marked), Finish keeps it as it is.` : 'nothing had arrived yet. Resume connects again and starts capturing; Finish ends here.'}
        </p>
      )}
      {f !== null && (
        <div className="figures" role="group" aria-label="Live figures">
          <Figure label={`${unit}/s`} value={formatCount(Math.round(liveRate(session.samples)))} />
          <Figure label={unit} value={formatCount(f.records)} />
          <Figure label="Written" value={formatBytes(f.bytes)} />
          <Figure label="Lost events" value={formatCount(f.lostEvents)} warn={f.lostEvents > 0} />
          <Figure label="Elapsed" value={formatDuration(Math.round(f.elapsedMs * 1e6))} />
        </div>
      )}
      {f !== null && f.lostEvents > 0 && <p className="warning">Events were lost: spans may be incomplete. Next time use larger buffers or fewer optional probes.</p>}
      {probes.length > 0 && (
        <table className="data-table compact" aria-label={`${unit} per probe`}>
          <thead>
            <tr>
              <th>{f?.counting === 'events' ? 'Kernel event' : 'Probe'}</th>
              <th className="num">{unit}</th>
            </tr>
          </thead>
          <tbody>
            {probes.map(([p, n]) => (
              <tr key={p}>
                <td title={p}>{probeEventName(p)}</td>
                <td className="num">{formatCount(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!session.lost && (post || Object.keys(session.progress).length > 0) && (
        <div className="stages" aria-label="Building the bundle">
          {STAGES.map((s) => (
            <ProgressBar key={s.key} label={s.label} fraction={s.key in session.progress ? (session.progress[s.key] ?? null) : session.finished && session.result !== null ? 1 : 0} />
          ))}
        </div>
      )}
      {session.error !== null && <ErrorBox title="What went wrong" error={session.error} />}
      {session.log.length > 0 && (
        <details className="capture-log" open={session.error !== null}>
          <summary>Session log ({session.log.length})</summary>
          <ol aria-label="Session log">
            {session.log.map((l, i) => (
              <li key={i} className={`log-${l.level}`}>
                {l.text}
              </li>
            ))}
          </ol>
        </details>
      )}
      {session.result !== null && (
        <p className="done-note">
          Saved {session.result.bundlePath}
          {session.result.partial ? ` (partial: ${session.result.partialReason ?? 'ended early'})` : ''}.
          {session.result.lostEvents > 0 ? ` ${formatCount(session.result.lostEvents)} events were lost.` : ''}
        </p>
      )}
    </section>
  );
}

function Figure({ label, value, warn = false }: { label: string; value: string; warn?: boolean }) {
  return (
    <div className={`figure${warn ? ' figure-warn' : ''}`}>
      <div className="figure-value">{value}</div>
      <div className="figure-label">{label}</div>
    </div>
  );
}
