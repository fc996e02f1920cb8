import { defaultCountColumns, defaultCountLabel } from './count-columns.js';
import { FIGURE_FLAGS, type FigureFlags } from './figure-flags.js';
import { TOTAL_COUNT_PROBE, type CountColumn, type SpanCounts } from './layout-types.js';

// The `misertrace export` command that regenerates a figure, stored in the SVG's <metadata>
// with the bundle's SHA-256 (docs/adr/0095). It is a function of the flags (as given, in one
// fixed order) and of the counts the figure shows, never of how they were typed: the app and the
// CLI store the same command for the same figure, and running the stored command writes the
// same bytes again, command included. The bundle is named by its file name only (a figure in a
// paper must not carry the author's home folder); the output is left out (`-o FILE` to add).

export interface FigureSource {
  /** The bundle's file name. */
  bundle: string;
  /** SHA-256 of the bundle file, hex. */
  bundleSha256: string;
  command: string;
}

const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/** POSIX shell quoting: bare when safe, else single quotes ('\'' for a quote inside). */
export function shellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Splits a command stored by figureCommand back into its words (single quotes and bare words only). */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < cmd.length) {
    while (cmd[i] === ' ') i++;
    if (i >= cmd.length) break;
    let w = '';
    while (i < cmd.length && cmd[i] !== ' ') {
      if (cmd[i] === "'") {
        const end = cmd.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unbalanced quote in ${cmd}`);
        w += cmd.slice(i + 1, end);
        i = end + 1;
      } else if (cmd[i] === '\\') {
        w += cmd[i + 1] ?? '';
        i += 2;
      } else w += cmd[i++];
    }
    words.push(w);
  }
  return words;
}

/**
 * The --counts text for the columns a figure shows: undefined when they are the default (the
 * user probes), `none`, or the probes in full with a label only where it differs from the default.
 */
export function countsFlag(shown: readonly CountColumn[] | undefined, counts: readonly (SpanCounts | undefined)[]): string | undefined {
  if (shown === undefined) return undefined;
  const dflt = defaultCountColumns(counts);
  const same = shown.length === dflt.length && shown.every((c, i) => c.probe === dflt[i]!.probe && c.label === dflt[i]!.label);
  if (same) return undefined;
  if (shown.length === 0) return 'none';
  return shown.map((c) => `${c.probe === TOTAL_COUNT_PROBE ? 'total' : c.probe}${c.label === defaultCountLabel(c.probe) ? '' : `=${c.label}`}`).join(',');
}

export interface CommandParts {
  bundleFileName: string;
  /** The -n text (e.g. "4", "1-3"); null when the bundle's only trace is drawn without it. */
  range: string | null;
  /** The figure flags; `counts` already in the form countsFlag gives. */
  flags: FigureFlags;
}

export function figureCommand(p: CommandParts): string {
  const words = ['misertrace', 'export', '-i', shellQuote(p.bundleFileName)];
  if (p.range !== null) words.push('-n', shellQuote(p.range));
  words.push('--format', 'svg');
  for (const f of FIGURE_FLAGS) {
    const v = p.flags[f];
    if (v === undefined) continue;
    if (v === true) words.push(`--${f}`);
    // A value that starts with '-' would be read as a flag: attach it with '='.
    else if (v.startsWith('-')) words.push(shellQuote(`--${f}=${v}`));
    else words.push(`--${f}`, shellQuote(v));
  }
  return words.join(' ');
}

/** The source a figure stores: its flags with the counts in canonical form (countsFlag). */
export function figureSource(p: CommandParts & { bundleSha256: string; shownCounts: readonly CountColumn[] | undefined; counts: readonly (SpanCounts | undefined)[] }): FigureSource {
  const flags: FigureFlags = { ...p.flags };
  const counts = countsFlag(p.shownCounts, p.counts);
  if (counts === undefined) delete flags.counts;
  else flags.counts = counts;
  return { bundle: p.bundleFileName, bundleSha256: p.bundleSha256, command: figureCommand({ bundleFileName: p.bundleFileName, range: p.range, flags }) };
}
