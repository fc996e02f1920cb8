import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, makeWorkDir } from '../../capture/session/output-check.js';

describe('output path checks before a capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a new file, an existing one only when asked to replace it; the work directory sits beside it', async () => {
    expect(await checkOutputPath(join(dir, 'a.mstrace'))).toBe(join(dir, 'a.mstrace'));
    writeFileSync(join(dir, 'b.mstrace'), 'x');
    await expect(checkOutputPath(join(dir, 'b.mstrace'))).rejects.toMatchObject({ code: 'output-unwritable', exitCode: 2, hint: expect.stringMatching(/--force/) });
    expect(await checkOutputPath(join(dir, 'b.mstrace'), { overwrite: true })).toBe(join(dir, 'b.mstrace'));
    const work = await makeWorkDir(join(dir, 'a.mstrace'));
    expect(work.startsWith(join(dir, '.a.mstrace.capture-'))).toBe(true);
  });

  it('refuses a missing directory, a directory as output, a file as directory', async () => {
    await expect(checkOutputPath(join(dir, 'nope', 'x.mstrace'))).rejects.toMatchObject({ code: 'output-unwritable', exitCode: 2 });
    mkdirSync(join(dir, 'd.mstrace'));
    await expect(checkOutputPath(join(dir, 'd.mstrace'))).rejects.toThrow(/it is a directory/);
    await expect(checkOutputPath(join(dir, 'b.mstrace', 'x.mstrace'))).rejects.toThrow(/is not a directory/);
    await expect(checkOutputPath('/dev/null', { overwrite: true })).rejects.toThrow(/not a regular file/);
  });
});
