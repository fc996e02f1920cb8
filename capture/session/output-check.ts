import { access, constants, mkdtemp, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CaptureError } from './capture-errors.js';

// The output path is checked before anything is started: an hour of capture must not end in
// "permission denied". The work directory (raw records, sorted records, the script) sits beside
// the output, on the same file system, and is removed once the bundle is written.

/** Refuses an existing file unless `overwrite` (a capture never replaces a bundle unasked). */
export async function checkOutputPath(output: string, opts: { overwrite?: boolean } = {}): Promise<string> {
  const out = resolve(output);
  const dir = dirname(out);
  let st;
  try {
    st = await stat(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CaptureError('output-unwritable', `cannot write ${out}: ${code === 'ENOENT' ? 'its directory does not exist' : `${dir}: ${code}`}`, 'create the directory first, or choose another output path');
  }
  if (!st.isDirectory()) throw new CaptureError('output-unwritable', `cannot write ${out}: ${dir} is not a directory`, 'choose another output path');
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new CaptureError('output-unwritable', `cannot write ${out}: no permission to write in ${dir}`, 'choose an output path in a directory you may write to');
  }
  try {
    const s = await stat(out);
    if (s.isDirectory()) throw new CaptureError('output-unwritable', `cannot write ${out}: it is a directory`, 'give a file name, e.g. capture.mstrace');
    if (!s.isFile()) throw new CaptureError('output-unwritable', `cannot write ${out}: it is not a regular file`, 'give the path of a new file, e.g. capture.mstrace');
    if (opts.overwrite !== true) throw new CaptureError('output-unwritable', `${out} exists: a capture does not replace it unasked`, 'choose another output path, or pass --force to replace it', 2);
    await access(out, constants.W_OK);
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new CaptureError('output-unwritable', `cannot write ${out}: ${code}`, 'choose another output path');
  }
  return out;
}

export async function makeWorkDir(output: string, base?: string): Promise<string> {
  const parent = base ?? dirname(resolve(output));
  try {
    return await mkdtemp(join(parent, `.${basename(output)}.capture-`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CaptureError('output-unwritable', `cannot create a work directory in ${parent}: ${code}`, 'choose an output path on a writable file system');
  }
}
