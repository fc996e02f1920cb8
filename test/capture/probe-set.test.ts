import { describe, expect, it } from 'vitest';
import type { KernelFeatures } from '../../capture/probes/kernel-features.js';
import { loadCatalog, syscallTracepoints } from '../../capture/probes/probe-catalog.js';
import { chooseProbeSet, supportedVariants } from '../../capture/probes/probe-support.js';

// The probe set of a capture (docs/adr/0050): causal where the kernel has the socket-level
// tracepoints (>= 6.3), the syscall set elsewhere or for the original model; a forced set or
// variant decides by itself, and a set the kernel cannot run is refused naming what is missing.

const catalog = loadCatalog();
const every = new Set([...catalog.variants.flatMap((v) => v.requires.tracepoints), ...syscallTracepoints(catalog)]);
const before63 = new Set([...every].filter((t) => t !== 'sock:sock_recv_length'));

function features(tracepoints: Set<string>, btf = true): KernelFeatures {
  return {
    kernelRelease: '6.1.0-test',
    tracefs: { mounted: true, path: '/sys/kernel/tracing', readable: true },
    tracepoints,
    kprobes: false,
    btf,
    bpftrace: { path: '/usr/bin/bpftrace', version: 'v0.17.0' },
    traceCmd: null,
    uid: 0,
    sudo: null,
    pkexec: null,
    cpus: 2,
  };
}

describe('chooseProbeSet', () => {
  it('auto: causal where the kernel has sock_send_length and sock_recv_length, with either backend', () => {
    for (const backend of ['ftrace', 'bpftrace'] as const) {
      const r = chooseProbeSet(catalog, features(every), backend);
      expect(r.set).toBe('causal');
      const v = supportedVariants(catalog, features(every), { backend, set: r.set });
      expect(v[0]!.id).toBe(backend === 'ftrace' ? 'causal-tracefs' : 'causal-btf');
    }
    expect(supportedVariants(catalog, features(every, false), { backend: 'bpftrace', set: 'causal' })[0]!.id).toBe('causal-join');
  });

  it('auto falls back to the syscall set on an older kernel, saying what is missing', () => {
    const r = chooseProbeSet(catalog, features(before63), 'ftrace');
    expect(r).toEqual({ set: 'syscalls', reason: 'the causal set needs tracepoint sock:sock_recv_length (kernel >= 6.3): falling back to syscall entry/exit records' });
    expect(supportedVariants(catalog, features(before63), { backend: 'ftrace', set: r.set })[0]!.id).toBe('tracefs');
  });

  it('the original model, a forced set or a forced variant decide', () => {
    expect(chooseProbeSet(catalog, features(every), 'ftrace', 'auto', { model: 'original' }).set).toBe('syscalls');
    expect(chooseProbeSet(catalog, features(every), 'ftrace', 'syscalls').set).toBe('syscalls');
    expect(chooseProbeSet(catalog, features(every), 'bpftrace', 'auto', { variant: 'fd-btf' })).toEqual({ set: 'syscalls', reason: 'variant fd-btf belongs to the syscalls set' });
    expect(() => supportedVariants(catalog, features(before63), { backend: 'ftrace', set: 'causal' })).toThrow(/causal-tracefs: needs tracepoint sock:sock_recv_length/);
  });
});
