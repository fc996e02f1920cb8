import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMeta, type MetaEntry } from '../../engine/model/meta.js';

// What a capture's work folder needs besides its records to become a bundle without the process
// that made it (`misertrace bundle recover DIR`, ADR 0061): the threads at capture start, the
// gateway, the network and the output it was meant for. Written before the probes attach.

export const WORK_NOTE = 'capture.json';
export const WORK_META = 'meta.psv';

export interface WorkNote {
  gateway: string;
  network: string;
  output: string;
  startedAt: string;
}

export async function writeWorkNote(workDir: string, meta: readonly MetaEntry[], note: WorkNote): Promise<void> {
  await writeFile(join(workDir, WORK_META), formatMeta(meta));
  await writeFile(join(workDir, WORK_NOTE), `${JSON.stringify(note, null, 2)}\n`);
}
