import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { convertBpftraceOutput, hasRecordMaps } from '../../capture/bpftrace/bpftrace-output.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import { fileError } from '../../engine/records/line-reader.js';
import type { CliIO } from '../command.js';

// Our probe script run by hand (misertrace discover) makes bpftrace write record map dumps, not
// record lines (docs/adr/0026). Commands that read a raw capture convert such a file first, into
// a hidden file beside their output, and remove it after; a file of records is used as it is.
// Without this, the dumps would be read as bpftrace's own lines and the records silently lost.

export async function withRecordLines<T>(input: string, output: string, io: CliIO, use: (records: string) => Promise<T>): Promise<T> {
  if (!(await hasRecordMaps(input).catch((e: unknown) => Promise.reject(fileError(e, input))))) return use(input);
  const records = join(dirname(output), `.${basename(output)}.records-${process.pid}.psv`);
  try {
    const c = await convertBpftraceOutput(input, records, loadCatalog().syscalls);
    io.stderr.write(
      `converted bpftrace's record maps: ${c.entries} entries` +
        (c.mapLost > 0 ? `, ${c.mapLost} lost (map full: capture again with a larger BPFTRACE_MAP_KEYS_MAX)` : '') +
        (c.cutBytes > 0 ? `; dropped a last line cut short (${c.cutBytes} bytes)` : '') +
        '\n',
    );
    return await use(records);
  } finally {
    await rm(records, { force: true });
  }
}
