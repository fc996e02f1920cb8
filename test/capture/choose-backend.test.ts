import { describe, expect, it } from 'vitest';
import { parseCustomProbes } from '../../capture/probes/custom-probes.js';
import type { KernelFeatures } from '../../capture/probes/kernel-features.js';
import { loadCatalog, syscallTracepoints } from '../../capture/probes/probe-catalog.js';
import { chooseBackend } from '../../capture/probes/probe-support.js';

// The default backend (auto): ftrace when the kernel runs its probe set, bpftrace when custom
// probes, a forced variant or the kernel ask for it.

const catalog = loadCatalog();
const everyTracepoint = new Set([...catalog.variants.flatMap((v) => v.requires.tracepoints), ...syscallTracepoints(catalog)]);

function features(over: Partial<KernelFeatures> = {}): KernelFeatures {
  return {
    kernelRelease: '6.1.0-test',
    tracefs: { mounted: true, path: '/sys/kernel/tracing', readable: true },
    tracepoints: everyTracepoint,
    kprobes: false,
    btf: true,
    bpftrace: { path: '/usr/bin/bpftrace', version: 'v0.17.0' },
    traceCmd: null,
    uid: 0,
    sudo: null,
    pkexec: null,
    cpus: 2,
    ...over,
  };
}

describe('chooseBackend (auto)', () => {
  it('picks ftrace when the kernel runs it, bpftrace installed or not', () => {
    expect(chooseBackend(catalog, features(), [])).toEqual({ backend: 'ftrace', reason: 'the kernel supports it and it costs the application the least' });
    expect(chooseBackend(catalog, features({ bpftrace: null }), []).backend).toBe('ftrace');
  });

  it('picks bpftrace for custom probes, which are bpftrace programs', () => {
    const custom = parseCustomProbes('tracepoint:sched:sched_wakeup\n/@pids[tid] == 1/\n{ @mine[tid] = count(); }\n', 'mine.bt');
    expect(custom.probes.length).toBeGreaterThan(0);
    expect(chooseBackend(catalog, features(), [custom])).toEqual({ backend: 'bpftrace', reason: 'custom probes are bpftrace programs' });
  });

  it('follows a forced variant to its backend', () => {
    expect(chooseBackend(catalog, features(), [], 'fd-btf').backend).toBe('bpftrace');
    expect(chooseBackend(catalog, features(), [], 'tracefs').backend).toBe('ftrace');
  });

  it('falls back to bpftrace, saying why, when a tracepoint ftrace needs is missing', () => {
    const tps = new Set(everyTracepoint);
    tps.delete('task:task_rename');
    const r = chooseBackend(catalog, features({ tracepoints: tps }), []);
    expect(r.backend).toBe('bpftrace');
    expect(r.reason).toBe('ftrace cannot run here (needs tracepoint task:task_rename)');
  });
});
