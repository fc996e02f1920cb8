import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture, PROJECT_ROOT } from '../fixtures.js';
import { cli } from './cli-harness.js';

// --model on generate and bundle import, the model and links a bundle stores, counts without
// double counting, regenerating a bundle with the other model, and render --links.

let dir: TempDir;
const gw = () => '172.29.77.1';
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

async function generate(model: string | null, out: string) {
  const args = ['generate', '-i', fixture('seq20', 'sorted.psv'), '-m', fixture('seq20', 'meta.psv'), '-g', gw(), '-o', out];
  return cli(...args, ...(model === null ? [] : ['--model', model]));
}

describe('--model', () => {
  it('generate --model causal stores the model, each span\'s link and per-thread counts; the records are all counted once', async () => {
    const out = join(dir.path, 'causal.mstrace');
    const r = await generate('causal', out);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const b = Bundle.open(out);
    try {
      expect(b.manifest.model).toBe('causal');
      expect(b.model).toBe('causal');
      const t = b.trace(1)!;
      expect(t.spans[0]!.link).toEqual({ rule: 'root', exact: true });
      expect(t.spans.slice(1).every((s) => s.link !== undefined && s.link.exact)).toBe(true);
      expect(new Set(t.spans.map((s) => s.link!.rule))).toEqual(new Set(['root', 'thread', 'fork']));
      let inSpans = 0;
      for (const s of b.traceSummaries()) inSpans += s.eventCount;
      let apart = 0;
      for (const c of b.threadCounts().values()) apart += c.total;
      expect(inSpans + apart).toBe(b.recordCount);
      expect(apart).toBeGreaterThan(0);
    } finally {
      b.close();
    }
  });

  it('the default is the causal model; --model original makes a bundle with no links that says so', async () => {
    const out = join(dir.path, 'default.mstrace');
    expect((await generate(null, out)).code).toBe(EXIT.ok);
    const d = Bundle.open(out);
    try {
      expect(d.manifest.model).toBe('causal');
      expect(d.trace(1)!.spans.every((s) => s.link !== undefined)).toBe(true);
    } finally {
      d.close();
    }
    const links = ['render', '-t', 'dag', '--links'];
    expect((await cli(...links, '-i', out)).stdout).toBe((await cli(...links, '-i', join(dir.path, 'causal.mstrace'))).stdout);
    const orig = join(dir.path, 'original.mstrace');
    expect((await generate('original', orig)).code).toBe(EXIT.ok);
    const b = Bundle.open(orig);
    try {
      expect(b.manifest.model).toBe('original');
      expect(b.trace(1)!.spans.every((s) => s.link === undefined)).toBe(true);
      expect(b.threadCounts().size).toBe(0);
    } finally {
      b.close();
    }
  });

  it('generate -i BUNDLE --model original/causal redoes the traces of an existing bundle with the other model', async () => {
    const out = join(dir.path, 'again.mstrace');
    // The sample is made with the default (causal) model.
    copyFileSync(join(PROJECT_ROOT, 'samples', 'seq20.mstrace'), out);
    const o = await cli('generate', '-i', out, '--model', 'original');
    expect(o.code, o.stderr).toBe(EXIT.ok);
    const ob = Bundle.open(out);
    try {
      expect(ob.model).toBe('original');
      expect(ob.traceCount).toBe(20);
      expect(ob.trace(1)!.spans[1]!.link).toBeUndefined();
    } finally {
      ob.close();
    }
    // Without --model it keeps the bundle's own model, not the default.
    expect((await cli('generate', '-i', out)).code).toBe(EXIT.ok);
    const kept = Bundle.open(out);
    expect(kept.model).toBe('original');
    kept.close();
    const r = await cli('generate', '-i', out, '--model', 'causal');
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const b = Bundle.open(out);
    try {
      expect(b.model).toBe('causal');
      expect(b.traceCount).toBe(20);
      expect(b.trace(1)!.spans[1]!.link).toEqual({ rule: 'thread', exact: true });
    } finally {
      b.close();
    }
  });

  it('bundle import makes causal traces unless --model original; an unknown model is a usage error that says what to use', async () => {
    for (const model of [null, 'original'] as const) {
      const out = join(dir.path, `imported-${model ?? 'default'}.mstrace`);
      const r = await cli('bundle', 'import', '-i', fixture('seq20', 'trace.psv'), '-m', fixture('seq20', 'meta.psv'), '-g', gw(), '-o', out, ...(model === null ? [] : ['--model', model]));
      expect(r.code, r.stderr).toBe(EXIT.ok);
      const b = Bundle.open(out);
      expect(b.model).toBe(model ?? 'causal');
      b.close();
    }
    const bad = await generate('clever', join(dir.path, 'bad.mstrace'));
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/unknown model "clever"/);
    expect(bad.stderr).toMatch(/--model original or --model causal/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('render --links', () => {
  it('prints each span\'s rule and whether it is exact or inferred; original bundles say original', async () => {
    const causal = join(dir.path, 'causal.mstrace');
    const r = await cli('render', '-i', causal, '-t', 'dag', '--links', '-n', '1');
    expect(r.code).toBe(EXIT.ok);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^1 oracle-frontend with PID \d+ .* ns \[root exact\]$/);
    expect(lines[1]).toMatch(/^\t NetworkThreadState oracle-catalog .* \[thread exact\]$/);
    expect(lines[2]).toMatch(/^\t\t ForkThreadState oracle-catalog .* \[fork exact\]$/);
    const o = await cli('render', '-i', join(dir.path, 'original.mstrace'), '-t', 'dag', '--links', '-n', '1');
    expect(o.stdout.split('\n')[1]).toMatch(/\[original\]$/);
    const plain = await cli('render', '-i', causal, '-t', 'dag', '-n', '1');
    expect(plain.stdout).not.toMatch(/\[/);
  });
});

describe('capture --model', () => {
  it('is offered, and an unknown model is refused before anything starts', async () => {
    const h = await cli('capture', '--help');
    expect(h.stdout).toMatch(/--model original\|causal/);
    const bad = await cli('capture', '-n', 'no-such-network', '-o', join(dir.path, 'never.mstrace'), '--model', 'clever');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/unknown model "clever"/);
  });
});
