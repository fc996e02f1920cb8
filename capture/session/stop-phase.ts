import { stat } from 'node:fs/promises';
import type { Attachment } from './attach-phase.js';
import type { CaptureOptions, PhaseContext } from './capture-types.js';
import type { CaptureChild } from './pty-child.js';

// The stop phase: drain until the records stop coming (when the user stopped it), stop the child
// (^C, then SIGTERM, then kill), turn everything it left into records (bpftrace's output with its
// exit dump of the record maps; the ftrace helper's pages) and close the records file.

export async function stopCapture(o: CaptureOptions, a: Attachment, ctx: PhaseContext, drain: boolean): Promise<void> {
  if (drain && !a.child.hasExited) {
    ctx.setState('draining');
    await drainUntilQuiet(o, a, ctx);
  }
  ctx.setState('stopping');
  await stopChild(a.child, ctx);
  // Everything bpftrace wrote, its exit dump of the record maps included, becomes records.
  const pump = a.pump;
  const converted = await pump?.finish().catch((e: unknown) => {
    ctx.log('error', `converting ${pump.from}: ${String(e)}`);
    return null;
  });
  if (converted && converted.cutBytes > 0) ctx.log('warn', `the last ${converted.cutBytes} bytes of bpftrace's output were a line cut short by its end; dropped`);
  if (pump && pump.stats.malformed > 0) ctx.log('warn', `${pump.stats.malformed} record map lines could not be read; skipped`);
  for (const n of pump?.notes ?? []) ctx.log(n.level, n.text);
  await a.tail.poll().catch(() => undefined);
  await a.tail.close();
}

/** ^C (bpftrace runs END and flushes its output), then ^\ / SIGTERM, then kill. */
export async function stopChild(child: CaptureChild | null, ctx: Pick<PhaseContext, 'log'>): Promise<void> {
  if (!child || child.hasExited) return;
  // The timer is cleared when the child exits first: a pending 10 s timer kept every
  // `misertrace capture` alive 10 s after its bundle was written.
  const wait = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
    try {
      return await Promise.race([child.exited.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  child.interrupt();
  if (await wait(10_000)) return;
  ctx.log('warn', 'the capture child ignored ^C; terminating it');
  child.terminate();
  if (await wait(3000)) return;
  ctx.log('warn', 'the capture child ignored SIGTERM; killing it');
  child.kill();
  await wait(3000);
}

/** Waits until the records file has not grown for quietMs (the kernel buffers and record maps are empty). */
async function drainUntilQuiet(o: CaptureOptions, a: Attachment, ctx: PhaseContext): Promise<void> {
  const { quietMs, maxMs } = o.drain ?? { quietMs: 400, maxMs: 15_000 };
  const path = a.launch.rawPath;
  const t0 = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - t0 < maxMs && !a.child.hasExited) {
    // bpftrace's own output never stops growing (the record maps' counts every 20 ms): what
    // counts is whether records still come.
    await a.pump?.poll().catch(() => undefined);
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size !== last) {
      last = size;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (Date.now() - t0 >= maxMs) ctx.log('warn', `output still growing after ${Math.round(maxMs / 1000)} s; stopping anyway`);
}
