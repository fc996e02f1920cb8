import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../capture/probes/doctor.js';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';
import { DEFAULT_MODEL } from '../../engine/model/span-link.js';

// The doctor on this very machine: it must say what the kernel really offers.

const f = await detectKernelFeatures();
const full = f.uid === 0 && f.tracefs.readable && f.bpftrace !== null;
if (!full) console.warn('[skip] doctor verdicts for this machine kind: needs root, tracefs and bpftrace');

describe('misertrace doctor', () => {
  it('reports every check, with a hint where something is missing', async () => {
    const r = await runDoctor({ mount: false, docker: { socketPath: '/nonexistent/docker.sock' } });
    expect(r.checks.map((c) => c.id)).toEqual(['kernel', 'tracefs', 'tracepoints', 'kprobes', 'btf', 'bpftrace', 'trace-cmd', 'privileges', 'docker', 'probe-set']);
    const docker = r.checks.find((c) => c.id === 'docker')!;
    expect(docker.status).toBe('missing');
    expect(docker.summary).toMatch(/Docker is not reachable: no socket at \/nonexistent\/docker\.sock/);
    expect(docker.hint).toMatch(/start the Docker engine/);
  });

  it('without bpftrace on PATH, the bpftrace backend cannot capture and says how to get it', async () => {
    const r = await runDoctor({ mount: false, docker: false, pathEnv: '/nonexistent-bin' });
    expect(r.chosen.bpftrace).toBeNull();
    expect(r.checks.find((c) => c.id === 'bpftrace')).toMatchObject({ status: 'missing', hint: expect.stringMatching(/apt-get install -y bpftrace/) });
    expect(r.variants.filter((v) => v.backend === 'bpftrace').every((v) => v.missing.includes('the bpftrace program'))).toBe(true);
  });

  it.skipIf(!full)('on this machine kind (kernel >= 6.3): the causal set for the causal model (BTF, tracefs reader), the syscall set for the original one', async () => {
    const r = await runDoctor({ mount: false, docker: false });
    expect(r.checks.find((c) => c.id === 'tracepoints')!.status).toBe('ok');
    expect(r.checks.find((c) => c.id === 'btf')!.status).toBe('ok');
    expect(r.features.kprobes).toBe(f.kprobes);
    expect(r.causalModelSets.ftrace).toMatchObject({ set: 'causal', reason: expect.stringMatching(/sock_send_length and sock:sock_recv_length/) });
    expect(r.checks.find((c) => c.id === 'probe-set')!.summary).toMatch(DEFAULT_MODEL === 'causal' ? /^probe set ftrace: causal, bpftrace: causal/ : /with the causal model: ftrace: causal, bpftrace: causal/);
    const causal = { bpftrace: f.btf ? 'causal-btf' : 'causal-join', ftrace: 'causal-tracefs' };
    const syscalls = { bpftrace: f.btf ? 'fd-btf' : 'sendlen-join', ftrace: 'tracefs' };
    expect(r.chosen).toEqual(DEFAULT_MODEL === 'causal' ? causal : syscalls);
    expect(r.syscallVariant).toEqual(syscalls);
    expect(r.optionalProbes.every((p) => p.available === true)).toBe(true);
  });
});
