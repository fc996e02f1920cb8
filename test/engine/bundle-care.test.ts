import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWorkNote } from '../../capture/session/work-note.js';
import { BLOCK, damagedBlocks, writeChecksums } from '../../engine/bundle/block-checksums.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { parseMeta } from '../../engine/model/meta.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { fixture } from '../fixtures.js';
import { cli } from './cli-harness.js';

// bundle verify finds flipped bits that SQLite does not (ADR 0062); bundle recover turns a
// capture's work folder into a bundle (ADR 0061).

const fx = fixtureBundleForFile('seq20');

/**
 * A copy of the bundle with one bit flipped at `skip` bytes into an occurrence of `needle` that
 * holds live data (`live` tells): a file also keeps dead copies of bytes in freed cell space.
 */
async function flipped(name: string, needle: Buffer, skip: number, live: (path: string) => boolean | Promise<boolean>): Promise<string> {
  const out = join(fx.dir.path, name);
  const bytes = readFileSync(fx.path);
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    bytes[at + skip]! ^= 0x01;
    writeFileSync(out, bytes);
    if (await live(out)) return out;
    bytes[at + skip]! ^= 0x01;
  }
  throw new Error(`no live copy of ${needle.toString('latin1')}`);
}

describe('bundle verify', () => {
  it('says ok for a bundle as written', async () => {
    const r = await cli('bundle', 'verify', fx.path);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: ok \(10953 records in \d+ chunks, tables\)/);
  });

  it('finds a flipped bit in a record chunk, and reading those records says the bundle is damaged', async () => {
    const chunk = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT id, data, tid FROM record_chunks ORDER BY length(data) DESC LIMIT 1').get() as { id: number; data: Buffer; tid: number };
      } finally {
        db.close();
      }
    };
    const { id, data, tid } = chunk(fx.path);
    const bad = await flipped('chunk-flip.mstrace', data.subarray(data.length - 48), 20, (p) => !chunk(p).data.equals(data) && chunk(p).id === id);
    const r = await cli('bundle', 'verify', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`damaged[^]*records of thread ${tid} \\(chunk \\d+\\): record chunk \\d+ does not match its checksum`));
    const b = Bundle.open(bad);
    try {
      expect(() => [...b.recordBatches()]).toThrow(/is damaged \(record chunk \d+ does not match its checksum\)/);
    } finally {
      b.close();
    }
  });

  it('finds a flipped bit in a span (a container name SQLite cannot tell is wrong)', async () => {
    // A span row stores its container and ip side by side: flip the 'y' of 'inventory' in one.
    const render = async (p: string) => (await cli('render', '-i', p, '-t', 'dag')).stdout;
    const bad = await flipped('span-flip.mstrace', Buffer.from('oracle-inventory172.'), 15, async (p) => (await render(p)).includes('oracle-inventorx'));
    // SQLite sees nothing wrong: render shows the wrong name and exits 0.
    expect((await cli('render', '-i', bad, '-t', 'dag')).code).toBe(0);
    const r = await cli('bundle', 'verify', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/spans: rows \d+\.\.\d+ do not match their checksum/);
  });
});

describe('table checksums', () => {
  it('cover tables of many blocks, and see a changed row in any of them', () => {
    const db = new Database(join(fx.dir.path, 'blocks.db'));
    db.exec('CREATE TABLE meta (tid INTEGER NOT NULL, container TEXT NOT NULL, ip TEXT NOT NULL, container_id TEXT NOT NULL)');
    const ins = db.prepare('INSERT INTO meta VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 3 * BLOCK + 5; i++) ins.run(i, `c${i % 7}`, '10.0.0.1', 'x');
    })();
    writeChecksums(db);
    expect(damagedBlocks(db)).toEqual([]);
    db.prepare("UPDATE meta SET container = 'changed' WHERE tid = ?").run(2 * BLOCK + 1);
    expect(damagedBlocks(db)).toEqual([`meta: rows ${2 * BLOCK}..${3 * BLOCK - 1} do not match their checksum`]);
    db.close();
  });
});

describe('bundle recover', () => {
  it('makes a partial bundle from a work folder, with the traces a full import gives', async () => {
    const work = join(fx.dir.path, '.lost.mstrace.capture-x');
    mkdirSync(work);
    copyFileSync(fixture('seq20', 'trace.psv'), join(work, 'raw.psv'));
    const out = join(fx.dir.path, 'lost.mstrace');
    const gateway = readFileSync(fixture('seq20', 'gateway.txt'), 'utf8').trim();
    await writeWorkNote(work, parseMeta(readFileSync(fixture('seq20', 'meta.psv'), 'utf8')), { gateway, network: 'oracle', output: out, startedAt: new Date().toISOString() });
    const r = await cli('bundle', 'recover', work);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote .*lost\.mstrace: 20 request traces from 10953 records \(marked partial\)/);
    const b = Bundle.open(out);
    expect(b.manifest.capture).toMatchObject({ partial: true, network: 'oracle', partialReason: expect.stringMatching(/recovered from/) });
    b.close();
    expect((await cli('render', '-i', out, '-t', 'custom', '-r')).stdout).toBe((await cli('render', '-i', fx.path, '-t', 'custom', '-r')).stdout);
    // Never over an existing bundle.
    const again = await cli('bundle', 'recover', work);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; recover does not replace a bundle/);
  });

  it('refuses a folder that is not a work folder, and says what to use', async () => {
    const r = await cli('bundle', 'recover', fx.dir.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not the work folder of a capture[^]*hint: .*bundle import/);
  });
});
