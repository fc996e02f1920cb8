import { refreshNetworks, selectNetwork } from '../actions/capture-actions.js';
import { ErrorBox } from '../common/error-box.js';
import { formatCount } from '../common/format.js';
import { useCapture } from '../stores/capture-store.js';

// Step 1: the Docker network to trace (its gateway decides where requests come from), and the
// containers and threads that will be traced on it.

export function NetworkPicker() {
  const networks = useCapture((s) => s.networks);
  const network = useCapture((s) => s.network);
  const inspection = useCapture((s) => s.inspection);
  return (
    <section className="panel" aria-label="Docker network">
      <div className="panel-head">
        <h2>1. Docker network</h2>
        <button type="button" onClick={() => void refreshNetworks()} disabled={networks.loading}>
          {networks.loading ? 'Looking…' : 'Refresh'}
        </button>
      </div>
      {networks.error !== null && <ErrorBox title="Cannot list Docker networks" error={networks.error} />}
      {networks.value !== null && networks.value.length === 0 && <p className="muted">Docker has no networks. Start your application's containers on a user-defined network first.</p>}
      {networks.value !== null && networks.value.length > 0 && (
        <table className="data-table" aria-label="Networks">
          <thead>
            <tr>
              <th>Network</th>
              <th>Driver</th>
              <th>Gateway</th>
              <th>Subnet</th>
              <th className="num">Containers</th>
            </tr>
          </thead>
          <tbody>
            {networks.value.map((n) => (
              <tr key={n.id} className={n.name === network ? 'row-selected' : ''} aria-selected={n.name === network}>
                <td>
                  <label className="radio-label">
                    <input type="radio" name="network" checked={n.name === network} onChange={() => void selectNetwork(n.name)} />
                    {n.name}
                  </label>
                </td>
                <td>{n.driver}</td>
                <td>{n.gateway ?? '—'}</td>
                <td>{n.subnet ?? '—'}</td>
                <td className="num">{n.containerCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {network !== null && (
        <div className="subpanel" aria-label="Containers">
          <h3>Containers on {network}</h3>
          {inspection.loading && <p className="muted">Reading containers and threads…</p>}
          {inspection.error !== null && <ErrorBox title={`Cannot inspect ${network}`} error={inspection.error} />}
          {inspection.value !== null && (
            <>
              <p>
                Gateway <strong>{inspection.value.gateway ?? 'unknown'}</strong>: requests from it start traces. {formatCount(inspection.value.threadCount)} threads in{' '}
                {inspection.value.containers.length} containers will be traced.
              </p>
              <table className="data-table" aria-label="Containers and threads">
                <thead>
                  <tr>
                    <th>Container</th>
                    <th>IP</th>
                    <th>Image</th>
                    <th>State</th>
                    <th className="num">Threads</th>
                  </tr>
                </thead>
                <tbody>
                  {inspection.value.containers.map((c) => (
                    <tr key={c.id}>
                      <td>{c.name}</td>
                      <td>{c.ip}</td>
                      <td>{c.image}</td>
                      <td>{c.state}</td>
                      <td className="num">{c.threadCount}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {inspection.value.problems.map((p) => (
                <p key={p} className="warning">
                  {p}
                </p>
              ))}
            </>
          )}
        </div>
      )}
    </section>
  );
}
