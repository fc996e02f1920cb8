import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicateCapture } from '../../bench/replicate.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { FIXTURES } from '../fixtures.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { cli, spawnCli } from './cli-harness.js';

// Records first (ADR 0061): a bundle is renamed into place with its records before the traces
// are generated, so a generation that is stopped, killed or fails leaves a bundle that opens with
// its records and says how to generate the traces; `generate -i B.mstrace` then adds them.
// Real processes (needs `npm run build`), killed while they generate.

let dir: TempDir;
let raw: string;
let meta: string;
let reference: string;
beforeAll(async () => {
  dir = tempDir();
  raw = join(dir.path, 'big.psv');
  meta = join(dir.path, 'big.meta');
  await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 40, tracePath: raw, metaPath: meta });
  reference = join(dir.path, 'reference.mstrace');
  expect((await spawnCli(['bundle', 'import', '-i', raw, '-m', meta, '-g', '172.29.77.1', '-o', reference])).code).toBe(0);
}, 120_000);
afterAll(() => dir.remove());

/** Starts `bundle import` and sends `sig` once the bundle is in place and its traces are being generated. */
async function stopWhileGenerating(out: string, sig: NodeJS.Signals) {
  let sent = false;
  // The bundle appears under its name once its records are in: from then on it is generating.
  const child = spawnCli(['bundle', 'import', '-i', raw, '-m', meta, '-g', '172.29.77.1', '-o', out]);
  const poll = setInterval(() => {
    if (!sent && existsSync(out)) {
      sent = true;
      const pid = pidWriting(out);
      if (pid !== null) process.kill(pid, sig);
    }
  }, 2);
  try {
    return { ...(await child), sent };
  } finally {
    clearInterval(poll);
  }
}

function pidWriting(out: string): number | null {
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('misertrace.js') && cmd.includes(out)) return Number(p);
    } catch {
      // ended while we looked
    }
  }
  return null;
}

async function expectRecordsKept(out: string) {
  const b = Bundle.open(out);
  try {
    expect(b.tracesPending).toMatch(/not generated/);
    expect(b.traceCount).toBe(0);
    const ref = Bundle.open(reference);
    expect(b.recordCount).toBe(ref.recordCount);
    ref.close();
  } finally {
    b.close();
  }
  const r = await cli('render', '-i', out, '-t', 'dag');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`hint: generate them: misertrace generate -i ${out}`);
  // Generating again gives the traces a full run gives.
  const g = await cli('generate', '-i', out);
  expect(g.code).toBe(0);
  expect(g.stderr).toMatch(/wrote .*: 2000 request traces/);
  expect((await cli('render', '-i', out, '-t', 'custom', '-r')).stdout).toBe((await cli('render', '-i', reference, '-t', 'custom', '-r')).stdout);
  expect(Bundle.open(out).tracesPending).toBeNull();
}

describe('records first', () => {
  it('Ctrl-C while generating keeps the records, exit 130, and says how to go on', async () => {
    const out = join(dir.path, 'interrupted.mstrace');
    const r = await stopWhileGenerating(out, 'SIGINT');
    expect(r.sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted while generating the traces\n\s+.*interrupted\.mstrace keeps its \d+ records, without traces/);
    expect(r.stderr).toContain(`hint: generate them again: misertrace generate -i ${out}`);
    await expectRecordsKept(out);
  }, 120_000);

  it('a process killed while generating leaves a bundle that opens with its records', async () => {
    const out = join(dir.path, 'killed.mstrace');
    const r = await stopWhileGenerating(out, 'SIGKILL');
    expect(r.sent).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    await expectRecordsKept(out);
  }, 120_000);

  it('generate -i takes only the bundle', async () => {
    const r = await cli('generate', '-i', reference, '-m', meta);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/with a bundle as input, generate uses its meta and gateway/);
  });
});
