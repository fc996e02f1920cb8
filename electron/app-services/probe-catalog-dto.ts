import type { DoctorReport } from '../../capture/probes/doctor.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import type { ProbeCatalog } from '../ipc-capture-types.js';

// The probe doctor's report (on this machine or a remote host's kernel and engine) as the
// capture screen's catalog: which backends work here and why not, the optional probes, the checks.

export function catalogOf(report: DoctorReport): ProbeCatalog {
  const catalog = loadCatalog();
  const f = report.features;
  const missing = (backend: 'bpftrace' | 'ftrace') =>
    report.variants
      .filter((v) => v.backend === backend)
      .map((v) => `${v.title}: needs ${v.missing.join(', ')}`)
      .join('; ');
  const available = new Map(report.optionalProbes.map((p) => [p.id, p.available]));
  const variantTitle = (id: string | null) => catalog.variants.find((v) => v.id === id)?.title ?? null;
  return {
    // ftrace first: the app starts with the first usable one, and it costs the application the
    // least under load (docs/adr/0025); custom probes switch the form to bpftrace.
    backends: [
      {
        backend: 'ftrace',
        available: report.chosen.ftrace !== null,
        version: null,
        problem: report.chosen.ftrace === null ? missing('ftrace') || 'needs root, sudo or pkexec' : null,
        variant: variantTitle(report.chosen.ftrace),
      },
      {
        backend: 'bpftrace',
        available: report.chosen.bpftrace !== null,
        version: f.bpftrace?.version ?? null,
        problem: f.bpftrace === null ? 'bpftrace is not installed (apt-get install -y bpftrace)' : report.chosen.bpftrace === null ? missing('bpftrace') : null,
        variant: variantTitle(report.chosen.bpftrace),
      },
    ],
    optional: catalog.optional.map((p) => ({
      id: p.id,
      name: p.id,
      description: p.title,
      available: available.get(p.id) !== false,
      reason: available.get(p.id) === false ? `this kernel lacks ${p.tracepoints.join(', ')}` : null,
    })),
    privileged: f.uid === 0,
    checks: report.checks.map((c) => ({ name: c.id, ok: c.status === 'ok' || c.status === 'info', detail: c.hint ? `${c.summary} (${c.hint})` : c.summary })),
  };
}
