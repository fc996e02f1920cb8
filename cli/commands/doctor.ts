import { runDoctor, type CheckStatus } from '../../capture/probes/doctor.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { connectRemote, REMOTE_HELP, REMOTE_OPTIONS } from '../remote-host.js';

// misertrace doctor: what this machine (or --host) offers for a capture, and what each backend would use.

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', missing: 'MISS', unknown: '??  ', info: '    ' };

export const doctorCommand: Command = {
  name: 'doctor',
  usage: '[--host TARGET] [--no-mount] [--json] [--docker-socket PATH]',
  help: `      --no-mount         do not mount tracefs even when running as root
      --json             print the report as JSON
      --docker-socket P  the Docker engine's socket (default: DOCKER_HOST or /var/run/docker.sock)
${REMOTE_HELP}
exit status: 0 when at least one backend can capture here, 1 when none can`,
  options: {
    'no-mount': { type: 'boolean' },
    json: { type: 'boolean' },
    'docker-socket': { type: 'string' },
    ...REMOTE_OPTIONS,
  },
  async run(v, _p, io) {
    const socket = typeof v['docker-socket'] === 'string' ? v['docker-socket'] : undefined;
    const remote = await connectRemote(v, io.stderr);
    let r;
    try {
      const host = remote ? new (await import('../../capture/remote/remote-services.js')).RemoteServices(remote.host, socket).doctorHost() : undefined;
      r = await runDoctor({ mount: v['no-mount'] !== true, docker: socket ? { socketPath: socket } : {}, ...(host ? { host } : {}) });
    } finally {
      remote?.host.dispose();
    }
    if (remote && v['json'] !== true) io.stdout.write(`host ${remote.host.label} (${remote.host.target.user}@${remote.host.target.hostname}:${remote.host.target.port}, over SSH)\n`);
    const ready = r.chosen.bpftrace !== null || r.chosen.ftrace !== null;
    if (v['json'] === true) {
      const { tracepoints, ...features } = r.features;
      io.stdout.write(`${JSON.stringify({ ...r, features: { ...features, tracepointCount: tracepoints?.size ?? null } }, null, 2)}\n`);
      return ready ? EXIT.ok : EXIT.problems;
    }
    const out: string[] = [];
    for (const c of r.checks) {
      out.push(`[${MARK[c.status]}] ${c.summary}`);
      if (c.hint) out.push(`       -> ${c.hint}`);
    }
    out.push('', 'probe variants (of the chosen probe set, the first supported one is used):');
    for (const vv of r.variants) {
      out.push(`  ${vv.missing.length === 0 ? 'yes' : 'no '} ${vv.backend.padEnd(8)} ${vv.set.padEnd(8)} ${vv.id.padEnd(14)} ${vv.title}${vv.missing.length ? `\n        needs: ${vv.missing.join(', ')}` : ''}`);
    }
    out.push('', 'ready-made probes (--probe ID):');
    for (const p of r.optionalProbes) out.push(`  ${p.available === null ? '?  ' : p.available ? 'yes' : 'no '} ${p.id.padEnd(20)} ${p.title}`);
    out.push('', `bpftrace backend: ${r.chosen.bpftrace ? `ready (variant ${r.chosen.bpftrace})` : 'cannot capture here'}`);
    out.push(`ftrace backend:   ${r.chosen.ftrace ? `ready (variant ${r.chosen.ftrace})` : 'cannot capture here'}`);
    io.stdout.write(`${out.join('\n')}\n`);
    return ready ? EXIT.ok : EXIT.problems;
  },
};
