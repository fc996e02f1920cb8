import type { BundleInfo } from '../../../electron/ipc-contract.js';
import { formatBytes, formatCount, formatDuration } from '../common/format.js';

// One line about the open bundle, and warnings a user must not miss (lost events, partial capture,
// model diagnostics).

export function BundleSummary({ bundle }: { bundle: BundleInfo }) {
  const diag = Object.entries(bundle.diagnostics).filter(([, n]) => n > 0);
  return (
    <div className="bundle-summary" aria-label="Bundle summary">
      <div className="bundle-facts">
        <strong title={bundle.path}>{bundle.fileName}</strong>
        <span>{formatCount(bundle.traceCount)} traces</span>
        <span>{formatCount(bundle.spanCount)} spans</span>
        <span>{formatCount(bundle.recordCount)} records</span>
        <span>{formatDuration(bundle.lastTs - bundle.firstTs)} captured</span>
        <span>
          {bundle.backend}
          {bundle.network !== null ? ` on ${bundle.network}` : ''}, gateway {bundle.gateway}
        </span>
        <span className="muted">{formatBytes(bundle.sizeBytes)}</span>
      </div>
      {bundle.lostEvents > 0 && (
        <div className="warning" role="status">
          {formatCount(bundle.lostEvents)} events were lost during capture: some spans may be incomplete. Capture again with larger buffers.
        </div>
      )}
      {bundle.partial && (
        <div className="warning" role="status">
          This capture ended early{bundle.partialReason !== null ? ` (${bundle.partialReason})` : ''}: what was captured is shown.
        </div>
      )}
      {diag.length > 0 && (
        <details className="diagnostics">
          <summary>{formatCount(diag.reduce((a, [, n]) => a + n, 0))} model diagnostics</summary>
          <ul>
            {diag.map(([k, n]) => (
              <li key={k}>
                {k}: {formatCount(n)}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
