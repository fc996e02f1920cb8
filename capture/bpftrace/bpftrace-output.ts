import { open, rm, type FileHandle } from 'node:fs/promises';
import { RECORD_MAPS, type SyscallGroups } from '../probes/record-codes.js';
import { BpftraceRecordConverter, type ConverterStats } from './bpftrace-records.js';
import { LineFollower } from './line-follower.js';

// bpftrace writes its output (-o) to a file of its own; the pump follows that file, converts it
// (bpftrace-records.ts) and appends the records to the raw records file that the live figures,
// the drain and the sorter read, as they did when bpftrace printed records itself. What a poll
// converted is on disk at once, so a capture that dies or is cancelled keeps all of it; finish()
// converts the rest once the child has ended.

export class BpftraceOutputPump {
  private readonly follower: LineFollower;
  private readonly converter: BpftraceRecordConverter;
  private out: FileHandle | null = null;
  private reading: Promise<void> | null = null;
  /** Set by finish()/close(): later polls (a figures tick still running) do nothing. */
  private done = false;

  constructor(
    readonly from: string,
    readonly to: string,
    groups: SyscallGroups,
  ) {
    this.follower = new LineFollower(from);
    this.converter = new BpftraceRecordConverter(groups);
  }

  get stats(): ConverterStats {
    return this.converter.stats;
  }

  /** What the conversion tells the user (the session logs these after the capture). */
  get notes(): { level: 'info' | 'warn'; text: string }[] {
    const n = this.converter.stats.unresolved;
    // Counted, never guessed (docs/adr/0050): a connection older than the capture on a kernel without BTF.
    return n > 0 ? [{ level: 'warn', text: `${n} socket records were on connections whose 4-tuple was never seen (older than the capture): not recorded` }] : [];
  }

  /** Converts what bpftrace appended since the last call (one pass at a time). */
  poll(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.reading ??= this.follower
      .read((lines, end) => {
        for (let a = 0; a < end; ) {
          const nl = lines.indexOf(10, a);
          this.converter.line(lines, a, nl);
          a = nl + 1;
        }
        return this.write();
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }

  /** After the child ended: converts the rest, closes both files; returns the bytes of a last line cut short. */
  async finish(): Promise<{ cutBytes: number }> {
    // A pass in flight may have started before the child's last writes: one more after it.
    await this.reading?.catch(() => undefined);
    await this.poll();
    this.done = true;
    this.converter.end();
    this.out ??= await open(this.to, 'a');
    await this.write();
    const cutBytes = this.follower.partialBytes;
    await this.close();
    return { cutBytes };
  }

  private async write(): Promise<void> {
    const bytes = this.converter.take();
    if (bytes.length === 0) return;
    this.out ??= await open(this.to, 'a');
    await this.out.write(bytes);
  }

  async close(): Promise<void> {
    this.done = true;
    await this.reading?.catch(() => undefined);
    await this.follower.close();
    const out = this.out;
    this.out = null;
    await out?.close();
  }
}

const RECORD_MAP_LINE = new RegExp(`^@(${RECORD_MAPS.map((m) => `${m.entries}\\[|${m.count}:`).join('|')})`, 'm');

/** Whether a file is bpftrace output of the record maps (a map line in its first MiB; idle captures print counts every 20 ms). */
export async function hasRecordMaps(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return RECORD_MAP_LINE.test(buf.toString('utf8', 0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Converts a whole bpftrace output file (a capture by hand) into records at `to` (replaced). */
export async function convertBpftraceOutput(from: string, to: string, groups: SyscallGroups): Promise<ConverterStats & { cutBytes: number }> {
  await rm(to, { force: true });
  const pump = new BpftraceOutputPump(from, to, groups);
  try {
    const { cutBytes } = await pump.finish();
    return { ...pump.stats, cutBytes };
  } finally {
    await pump.close();
  }
}
