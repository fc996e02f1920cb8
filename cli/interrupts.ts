// Ctrl-C for the CLI (issue 16): the first asks the command to stop (io.signal); a second means
// "stop faster", never "lose the data": commands that can hurry (a capture) do, the others end
// now; the last one ends the process at once and says what is kept where.

export class Interrupts {
  private readonly stopCtl = new AbortController();
  private readonly hurryCtl = new AbortController();
  private count = 0;
  private canHurry = false;
  /** Where the command's data is if the process ends now (printed by the last Ctrl-C). */
  private kept: string | null = null;

  constructor(
    private readonly write: (text: string) => void,
    private readonly exit: (code: number) => void,
  ) {}

  get stop(): AbortSignal {
    return this.stopCtl.signal;
  }

  get hurry(): AbortSignal {
    return this.hurryCtl.signal;
  }

  /** The command stops faster on a second Ctrl-C instead of ending. */
  hurryable(): void {
    this.canHurry = true;
  }

  setKept(note: string | null): void {
    this.kept = note;
  }

  signal(): void {
    this.count++;
    if (this.count === 1) {
      this.stopCtl.abort();
      return;
    }
    if (this.count === 2 && this.canHurry) {
      this.write(`\nmisertrace: stopping faster (Ctrl-C again to end now${this.kept ? `; ${this.kept}` : ''})\n`);
      this.hurryCtl.abort();
      return;
    }
    this.write(`\nmisertrace: interrupted again: ending now${this.kept ? `; ${this.kept}` : '; nothing was written'}\n`);
    this.exit(130);
  }
}
