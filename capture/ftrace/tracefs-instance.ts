import { access, mkdir, open, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// A private tracefs instance (instances/<name>): its own ring buffer, clock, pid filter and
// enabled events, so a capture never touches the global tracing state or another user's
// tracing. Removed afterwards; instances left by a capture that was killed are recognised by
// name (misertrace-<pid>-…) and removed when their process is gone.

export const INSTANCE_PREFIX = 'misertrace-';

export class TracefsError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'TracefsError';
  }
}

export class TracefsInstance {
  readonly dir: string;
  private readonly enabled: string[] = [];

  private constructor(
    readonly tracefs: string,
    readonly name: string,
  ) {
    this.dir = join(tracefs, 'instances', name);
  }

  /** An existing instance (to remove it). */
  static existing(tracefs: string, name: string): TracefsInstance {
    return new TracefsInstance(tracefs, name);
  }

  static async create(tracefs: string, name: string): Promise<TracefsInstance> {
    const inst = new TracefsInstance(tracefs, name);
    try {
      await mkdir(inst.dir);
    } catch (e) {
      throw new TracefsError(inst.dir, `cannot create the tracefs instance ${inst.dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return inst;
  }

  async write(rel: string, value: string): Promise<void> {
    const path = join(this.dir, rel);
    try {
      await writeFile(path, value);
    } catch (e) {
      throw new TracefsError(path, `writing "${value.slice(0, 60)}" to ${path} failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }

  async read(rel: string): Promise<string> {
    return readFile(join(this.dir, rel), 'utf8');
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  /** Writes pids in chunks: one write must fit the kernel's parser buffer. */
  async setEventPids(pids: readonly number[]): Promise<void> {
    const path = join(this.dir, 'set_event_pid');
    const fh = await open(path, 'w');
    try {
      for (let i = 0; i < pids.length; i += 200) await fh.write(`${pids.slice(i, i + 200).join(' ')} `);
    } catch (e) {
      throw new TracefsError(path, `writing set_event_pid failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    } finally {
      await fh.close();
    }
  }

  async enableEvent(name: string, filter?: string): Promise<void> {
    const [group, event] = name.split(':') as [string, string];
    if (filter) await this.write(`events/${group}/${event}/filter`, filter);
    await this.write(`events/${group}/${event}/enable`, '1');
    this.enabled.push(name);
  }

  async cpuFiles(): Promise<number[]> {
    return (await readdir(join(this.dir, 'per_cpu')))
      .filter((d) => /^cpu\d+$/.test(d))
      .map((d) => Number(d.slice(3)))
      .sort((a, b) => a - b);
  }

  /** Events lost on a CPU so far: overwritten (overrun) plus dropped when the buffer was full. */
  async lostOn(cpu: number): Promise<number> {
    const text = await readFile(join(this.dir, 'per_cpu', `cpu${cpu}`, 'stats'), 'utf8');
    const n = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    return n(/^overrun:\s*(\d+)/m) + n(/^dropped events:\s*(\d+)/m);
  }

  /** Stops tracing, disables every event and removes the instance (retrying while files are busy). */
  async remove(): Promise<void> {
    await writeFile(join(this.dir, 'tracing_on'), '0').catch(() => undefined);
    await writeFile(join(this.dir, 'events', 'enable'), '0').catch(() => undefined);
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(this.dir);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY' || attempt >= 20) throw new TracefsError(this.dir, `cannot remove the tracefs instance ${this.dir}: ${code}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

/** Removes instances of earlier captures whose process is gone; returns their names. */
export async function removeStaleInstances(tracefs: string): Promise<string[]> {
  const dir = join(tracefs, 'instances');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = new RegExp(`^${INSTANCE_PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // its capture is still running
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    await TracefsInstance.existing(tracefs, name).remove();
    removed.push(name);
  }
  return removed;
}

export async function tracefsUsable(tracefs: string): Promise<boolean> {
  try {
    await access(join(tracefs, 'instances'));
    return true;
  } catch {
    return false;
  }
}

export interface CaptureInstancesSpec {
  tids: readonly number[];
  /** Events of the pid-filtered instance (expanded: ftrace-config.ts expandEvents). */
  traced: readonly { event: string; filter?: string }[];
  /** Events of the unfiltered socket instance. */
  sockets: readonly { event: string; filter?: string }[];
  bufferKb: number;
  /** Off for a capture (a full buffer drops new events, which are counted as lost); on to keep recording with nobody reading (bench:capture --kernel-only). */
  overwrite: boolean;
}

/**
 * The ftrace backend's two instances `<base>-traced` (set_event_pid with event-fork) and
 * `<base>-sockets` (no pid filter), with trace_clock mono and tracing still off. Each instance is
 * pushed to `created` as soon as it exists, so that a caller can remove them after a failure.
 */
export async function createCaptureInstances(tracefs: string, base: string, spec: CaptureInstancesSpec, created: TracefsInstance[]): Promise<{ traced: TracefsInstance; sockets: TracefsInstance }> {
  const traced = await TracefsInstance.create(tracefs, `${base}-traced`);
  created.push(traced);
  const sockets = await TracefsInstance.create(tracefs, `${base}-sockets`);
  created.push(sockets);
  for (const inst of [traced, sockets]) {
    await inst.write('tracing_on', '0');
    await inst.write('trace_clock', 'mono');
    await inst.write('buffer_size_kb', String(spec.bufferKb));
    await inst.write('options/overwrite', spec.overwrite ? '1' : '0');
  }
  // As the helper: no thread filter where no event is filtered by it (docs/adr/0125).
  if (spec.traced.length > 0) {
    await traced.write('options/event-fork', '1');
    await traced.setEventPids(spec.tids);
  }
  for (const e of spec.traced) await traced.enableEvent(e.event, e.filter);
  for (const s of spec.sockets) await sockets.enableEvent(s.event, s.filter);
  return { traced, sockets };
}
