import { chooseCustomProbe, chooseOutput, loadCatalog, startCapture } from '../actions/capture-actions.js';
import { ErrorBox } from '../common/error-box.js';
import { useCapture } from '../stores/capture-store.js';
import { SCHED_GROUP, withSchedGroup } from './sched-group.js';

// Steps 2 and 3: probes (base set, optional probes the kernel offers, a custom .bt file), backend,
// buffers and where the bundle goes; then Start.

export function CaptureOptions() {
  const catalog = useCapture((s) => s.catalog);
  const form = useCapture((s) => s.form);
  const update = useCapture((s) => s.updateForm);
  const network = useCapture((s) => s.network);
  const inspection = useCapture((s) => s.inspection);
  const starting = useCapture((s) => s.starting);
  const startError = useCapture((s) => s.startError);
  const cat = catalog.value;
  const backend = cat?.backends.find((b) => b.backend === form.backend) ?? null;
  const blockers: string[] = [];
  if (network === null) blockers.push('choose a network');
  else if (inspection.value === null) blockers.push('wait for the network’s containers');
  if (form.output === null) blockers.push('choose where to save the bundle');
  if (backend !== null && !backend.available) blockers.push(`${form.backend} is not usable here`);
  if (form.customProbePath !== null && form.backend !== 'bpftrace') blockers.push('custom probes need the bpftrace backend');
  const schedOn = SCHED_GROUP.every((id) => form.optionalProbes.includes(id));
  const schedMissing = SCHED_GROUP.filter((id) => cat?.optional.find((p) => p.id === id)?.available !== true);
  const toggleProbe = (id: string, on: boolean) => update({ probesTouched: true, optionalProbes: on ? [...form.optionalProbes, id] : form.optionalProbes.filter((p) => p !== id) });
  return (
    <section className="panel" aria-label="Capture settings">
      <div className="panel-head">
        <h2>2. Probes and backend</h2>
        <button type="button" onClick={() => void loadCatalog()} disabled={catalog.loading}>
          {catalog.loading ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {catalog.error !== null && <ErrorBox title="Cannot check what this kernel can trace" error={catalog.error} />}
      {cat !== null && (
        <>
          {!cat.privileged && <p className="note">Tracing needs root rights: the app will ask for your password (sudo or pkexec) when you start. It is passed to the tracer and never stored.</p>}
          <fieldset>
            <legend>Backend</legend>
            {cat.backends.map((b) => (
              <label key={b.backend} className="radio-label" title={b.problem ?? ''}>
                <input type="radio" name="backend" checked={form.backend === b.backend} disabled={!b.available} onChange={() => update({ backend: b.backend })} />
                {b.backend}
                {b.version !== null && <span className="muted"> {b.version}</span>}
                {b.backend === 'ftrace' && b.available && <span className="muted"> (costs the application the least)</span>}
                {!b.available && <span className="unavailable"> — {b.problem ?? 'not available'}</span>}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Probes</legend>
            <p className="muted">
              Always: the model’s base set (fork, exit, send/receive syscalls, TCP 4-tuples){backend?.variant ? `; with ${form.backend} on this kernel: ${backend.variant}` : ''}.
            </p>
            <label className="check-label sched-group" title={schedMissing.length > 0 ? `this kernel lacks ${schedMissing.join(', ')}` : 'scheduler records of the traced threads: sched_switch, sched_wakeup, page_fault_user'}>
              <input type="checkbox" checked={schedOn} disabled={schedMissing.length > 0} onChange={(e) => update({ probesTouched: true, optionalProbes: withSchedGroup(form.optionalProbes, e.target.checked) })} />
              Where the time went <span className="muted">on a CPU, runnable, blocked in each span, with page faults and migrations (the scheduler’s records: cheap with ftrace, much dearer with bpftrace)</span>
            </label>
            {cat.optional.map((p) => (
              <label key={p.id} className="check-label" title={p.reason ?? p.description}>
                <input type="checkbox" checked={form.optionalProbes.includes(p.id)} disabled={!p.available} onChange={(e) => toggleProbe(p.id, e.target.checked)} />
                {p.name} <span className="muted">{p.available ? p.description : `— ${p.reason ?? 'not in this kernel'}`}</span>
              </label>
            ))}
            <div className="row-gap">
              <button type="button" onClick={() => void chooseCustomProbe()}>
                Custom probe file (bpftrace)…
              </button>
              {form.customProbePath !== null && (
                <span className="chip">
                  {form.customProbePath}{' '}
                  <button type="button" className="icon-button" aria-label="Remove the custom probe file" onClick={() => update({ customProbePath: null })}>
                    ×
                  </button>
                </span>
              )}
            </div>
          </fieldset>
          <fieldset className="form-grid">
            <legend>Buffers and duration</legend>
            <label>
              Perf ring buffer pages
              <input inputMode="numeric" placeholder="sized from the thread count" value={form.rbPages} onChange={(e) => update({ rbPages: e.target.value })} />
            </label>
            <label>
              ftrace buffer per CPU (KiB)
              <input inputMode="numeric" placeholder="default" value={form.ftraceBufferKb} onChange={(e) => update({ ftraceBufferKb: e.target.value })} />
            </label>
            <label>
              Stop after (seconds)
              <input inputMode="numeric" placeholder="until you press Stop" value={form.durationSec} onChange={(e) => update({ durationSec: e.target.value })} />
            </label>
          </fieldset>
          {cat.checks.some((c) => !c.ok) && (
            <details className="diagnostics">
              <summary>Kernel checks: {cat.checks.filter((c) => !c.ok).length} problem(s)</summary>
              <ul>
                {cat.checks.map((c) => (
                  <li key={c.name} className={c.ok ? '' : 'unavailable'}>
                    {c.ok ? '✓' : '✗'} {c.name}: {c.detail}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      <h2>3. Save and start</h2>
      <div className="row-gap">
        <button type="button" onClick={() => void chooseOutput()}>
          Save bundle as…
        </button>
        <span className={form.output === null ? 'muted' : ''}>{form.output ?? 'no file chosen'}</span>
      </div>
      {startError !== null && <ErrorBox title="The capture did not start" error={startError} />}
      <div className="row-gap">
        <button type="button" className="primary" disabled={blockers.length > 0 || starting} onClick={() => void startCapture()}>
          {starting ? 'Starting…' : 'Start capture'}
        </button>
        {blockers.length > 0 && <span className="muted">To start: {blockers.join(', ')}.</span>}
      </div>
    </section>
  );
}
