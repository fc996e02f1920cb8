import type { CaptureLog } from './capture-types.js';

// The elevated child's terminal output as the user should see it: bpftrace's harmless noise on
// these machines (a RLIMIT_MEMLOCK message, Addrspace warnings about our own script, which the user
// can do nothing about) is dropped, the rest logged with a level guessed from its words.

const NOISE = [/couldn't set RLIMIT_MEMLOCK/, /WARNING: Addrspace mismatch/];

export class ChildLogFilter {
  private skipNoiseLines = 0;

  /** One line of the child's terminal -> a log entry, or null for noise. */
  line(raw: string): CaptureLog | null {
    // The terminal echoes the ^C we send to stop the child.
    const line = raw.replace(/^(\^C|\^\\)+/, '');
    // An Addrspace warning is followed by the script line and a caret line: skip all three.
    if (this.skipNoiseLines > 0) {
      this.skipNoiseLines--;
      return null;
    }
    if (/WARNING: Addrspace mismatch/.test(line)) {
      this.skipNoiseLines = 2;
      return null;
    }
    if (line.trim() === '' || NOISE.some((re) => re.test(line))) return null;
    return { level: /ERROR|error/.test(line) ? 'error' : /WARN/.test(line) ? 'warn' : 'info', text: line };
  }
}

/** The last 40 meaningful lines of a child's terminal transcript (for error messages). */
export function meaningfulOutput(transcript: string): string {
  return transcript
    .split('\n')
    .filter((l) => !NOISE.some((re) => re.test(l)) && l.trim() !== '' && !/^\s*~+\s*$/.test(l))
    .slice(-40)
    .join('\n');
}
