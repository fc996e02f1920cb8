import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCustomProbes } from '../../capture/probes/custom-probes.js';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import { missingForVariant, selectedProbes } from '../../capture/probes/probe-support.js';
import { RECORD_MAPS, syscallCode } from '../../capture/probes/record-codes.js';
import { bufferSizing, buildBpftraceScript, MARKER_FLUSH_BYTES } from '../../capture/probes/script-builder.js';

const catalog = loadCatalog();
const bpftraceVariants = catalog.variants.filter((v) => v.backend === 'bpftrace');
const features = await detectKernelFeatures();
const canLoad = features.uid === 0 && features.bpftrace !== null && features.tracefs.mounted;
if (!canLoad) console.warn('[skip] loading the probe scripts into the kernel: needs root, bpftrace and tracefs');

describe('bpftrace script builder', () => {
  it('fills the thread map, expands every syscall with its record code, clears its maps at END except the record maps, keeps user maps', () => {
    const custom = parseCustomProbes('tracepoint:sched:sched_wakeup\n/@pids[tid] == 1/\n{ @mine[tid] = count(); }\n', 'c.bt');
    const s = buildBpftraceScript({ catalog, variant: bpftraceVariants[0]!, tids: [11, 12], probes: [], custom: [custom], attachMarker: true });
    expect(s.text).toContain('  @pids[11] = 1;\n  @pids[12] = 1;');
    for (const sc of [...catalog.syscalls.send, ...catalog.syscalls.recv]) {
      expect(s.text).toContain(`tracepoint:syscalls:sys_enter_${sc}\n`);
      expect(s.text).toContain(`tracepoint:syscalls:sys_exit_${sc}\n`);
    }
    // The exit probe of a syscall writes its entry with that syscall's code.
    for (const [sc, block] of s.text.split('tracepoint:syscalls:sys_exit_').slice(1).map((b) => [b.slice(0, b.indexOf('\n')), b.slice(0, b.indexOf('\n}'))] as const)) {
      expect(block).toContain(`$rec = ((uint64)${syscallCode(catalog.syscalls, sc)}, `);
    }
    expect(s.text).not.toMatch(/\{\{[A-Z_]+\}\}/);
    const end = s.text.slice(s.text.lastIndexOf('END\n{'));
    expect(end).toMatch(/clear\(@pids\);/);
    expect(end).toMatch(/clear\(@misertrace_attached\);/);
    expect(end).not.toMatch(/@mine/);
    expect(end).toMatch(/clear\(@mt_e\);/);
    // What is left in the record maps is the end of the capture: bpftrace prints it at exit.
    for (const m of RECORD_MAPS) expect(end).not.toMatch(new RegExp(`@(${m.entries}|${m.count})\\b`));
    // The attach marker is the last probe, and its line is long enough to flush bpftrace's buffer.
    expect(s.text.lastIndexOf('@misertrace_attached: %llu')).toBeGreaterThan(s.text.lastIndexOf('tracepoint:'));
    expect(s.text).toContain(' '.repeat(MARKER_FLUSH_BYTES));
  });

  it('every record line the probes print has the five fields and a known model or user probe', () => {
    for (const v of bpftraceVariants) {
      const s = buildBpftraceScript({ catalog, variant: v, tids: [1], probes: selectedProbes(catalog, { backend: 'bpftrace', probes: catalog.optional.map((o) => o.id) }), custom: [] });
      const formats = [...s.text.matchAll(/printf\("([^"\\]*(?:\\.[^"\\]*)*)"/g)].map((m) => m[1]!).filter((f) => !f.startsWith('@misertrace'));
      for (const f of formats) {
        for (const line of f.split('\\n').filter((l) => l !== '')) {
          expect(line).toMatch(/^%s\|%d\|%llu\|%d\|(MT:[a-z_]+|%s)(\|\\"[^|]*\\")?$/);
        }
      }
    }
  });

  it('the base set prints nothing itself: every record is an entry of 13 uint64 (the last: the return value of a syscall exit) and the comm in the record maps', () => {
    for (const v of bpftraceVariants) {
      const s = buildBpftraceScript({ catalog, variant: v, tids: [1], probes: [], custom: [], attachMarker: true });
      const formats = [...s.text.matchAll(/printf\("([^"\\]*(?:\\.[^"\\]*)*)"/g)].map((m) => m[1]!);
      expect(formats.filter((f) => f !== '' && !f.startsWith('@misertrace_attached'))).toEqual([]);
      const recs = [...s.text.matchAll(/\$rec = \((.*)\);/g)].map((m) => m[1]!);
      // fork, exit, and a syscall each (syscalls set); or a send, a receive and a connect (causal set).
      expect(recs.length).toBe(2 + (v.set === 'causal' ? 3 : catalog.syscalls.send.length + catalog.syscalls.recv.length));
      for (const r of recs) {
        expect(r.match(/\(uint64\)/g)).toHaveLength(13);
        // A connect's comm is the connecting thread's, kept from SYN_SENT (causal-connect.bt).
        expect(r.endsWith(', comm') || r.endsWith(', $c.3')).toBe(true);
      }
    }
  });

  it('sizes buffers from threads, script and rate', () => {
    // No rate known: 64 MiB over the CPUs, 16 MiB per CPU at most; record maps for ~2 s of entries.
    expect(bufferSizing({ threads: 34, scriptBytes: 20_000, cpus: 2 })).toEqual({ rbPages: 4096, mapKeysMax: 65536, logSize: 2_000_000 });
    expect(bufferSizing({ threads: 34, scriptBytes: 20_000, cpus: 64 }).rbPages).toBe(256);
    expect(bufferSizing({ threads: 20000, scriptBytes: 5000, cpus: 2 }).mapKeysMax).toBe(262144);
    // A known rate: a second of entries (~200 bytes of records each), up to 262144.
    expect(bufferSizing({ threads: 34, scriptBytes: 1, cpus: 2, bytesPerSecond: 20e6 }).mapKeysMax).toBe(131072);
    expect(bufferSizing({ threads: 34, scriptBytes: 1, cpus: 2, bytesPerSecond: 1e9 }).mapKeysMax).toBe(262144);
    // 32 MiB/s over 4 CPUs: a second is 8 MiB per CPU, 2048 pages.
    expect(bufferSizing({ threads: 1, scriptBytes: 1, cpus: 4, bytesPerSecond: 32 * 1048576 }).rbPages).toBe(2048);
    expect(() => bufferSizing({ threads: 1, scriptBytes: 1, cpus: 1, rbPages: 1000 })).toThrow(/power of two/);
  });

  describe.skipIf(!canLoad)('loaded into this kernel', () => {
    for (const v of bpftraceVariants) {
      it(`variant ${v.id} with every ready-made probe attaches (verifier included)`, async () => {
        expect(missingForVariant(v, features, catalog)).toEqual([]);
        const probes = selectedProbes(catalog, { backend: 'bpftrace', probes: catalog.optional.map((o) => o.id) });
        const s = buildBpftraceScript({ catalog, variant: v, tids: [process.pid], probes, custom: [], attachMarker: true });
        const dir = mkdtempSync(join(tmpdir(), 'misertrace-bt-'));
        try {
          writeFileSync(join(dir, 's.bt'), `${s.text}\ninterval:ms:300 { exit(); }\n`);
          const child = spawn(features.bpftrace!.path, ['-o', join(dir, 'out.psv'), join(dir, 's.bt')], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const code = await new Promise<number | null>((r) => child.on('exit', r));
          const out = readFileSync(join(dir, 'out.psv'), 'utf8');
          expect({ code, errors: stderr.split('\n').filter((l) => /ERROR/.test(l) && !/RLIMIT_MEMLOCK/.test(l)) }).toEqual({ code: 0, errors: [] });
          expect(out).toMatch(/^Attaching \d+ probes\.\.\./);
          expect(out).toContain('@misertrace_attached: ');
          expect(out).toMatch(/^@mt_n[ab]: \d+$/m);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }, 60_000);
    }
  });
});
