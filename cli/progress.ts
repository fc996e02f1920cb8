// A progress bar on stderr, drawn only when stderr is a terminal (never in pipes or logs),
// redrawn at most ten times a second.

export class Progress {
  private last = 0;
  private shown = false;
  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {}

  update(label: string, fraction: number): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const f = Math.max(0, Math.min(1, fraction));
    const width = 30;
    const fill = Math.round(f * width);
    this.out.write(`\r${label.padEnd(10)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(f * 100).toFixed(0).padStart(3)}%`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
