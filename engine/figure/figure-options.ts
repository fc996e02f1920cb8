import { InputError } from '../model/meta.js';
import type { LengthUnit } from './figure-types.js';
import { PX_PER } from './figure-types.js';
import type { LabelField } from './layout-types.js';

// Parsers for figure options given as text (the CLI's flags; the app may offer the same syntax):
// lengths with units, durations with units, time windows, index lists, label fields, renames.
// Errors are InputErrors that say what was expected.

export function parseLength(s: string, what: string): { px: number; unit: LengthUnit } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(px|in|cm|mm|pt)?\s*$/.exec(s);
  if (!m) throw new InputError(`${what} "${s}" is not a length`, 'give a number of px, or a length with a unit: 960, 7in, 17cm, 170mm, 504pt');
  const unit = (m[2] ?? 'px') as LengthUnit;
  const px = Number(m[1]) * PX_PER[unit];
  if (!(px > 0)) throw new InputError(`${what} must be more than 0`);
  return { px, unit };
}

const NS_PER: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

/** "2.5ms" -> 2500000. A bare number is in ns. */
export function parseDurationNs(s: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)?\s*$/.exec(s);
  if (!m) throw new InputError(`"${s}" is not a duration`, 'write it like 250us, 2.5ms or 1s (a bare number is in ns)');
  return Math.round(Number(m[1]) * NS_PER[m[2] ?? 'ns']!);
}

/** "2ms..10ms" (either side may be empty: "..5ms", "3ms..") as offsets from the request's start. */
export function parseWindow(s: string): { start: number | null; end: number | null } {
  const parts = s.split('..');
  if (parts.length !== 2) throw new InputError(`window "${s}" is not START..END`, 'e.g. --window 2ms..10ms (time since the request started); either side may be left out');
  const start = parts[0]!.trim() === '' ? null : parseDurationNs(parts[0]!);
  const end = parts[1]!.trim() === '' ? null : parseDurationNs(parts[1]!);
  if (start !== null && end !== null && end <= start) throw new InputError(`window "${s}" ends before it starts`);
  return { start, end };
}

export function parseIndexList(s: string, what: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const t = part.trim();
    if (!/^\d+$/.test(t)) throw new InputError(`${what}: "${t}" is not a span index`, 'list span indices (0 is the root), e.g. 2,6');
    out.push(Number(t));
  }
  return out;
}

const LABEL_FIELDS: readonly LabelField[] = ['tid', 'container', 'ip', 'kind', 'start', 'duration', 'counts'];

export function parseLabelFields(s: string): LabelField[] {
  if (s.trim() === 'none') return [];
  return s.split(',').map((f) => {
    const t = f.trim() as LabelField;
    if (!LABEL_FIELDS.includes(t)) throw new InputError(`unknown label field "${t}"`, `fields: ${LABEL_FIELDS.join(', ')} (or none)`);
    return t;
  });
}

/** "oracle-frontend=Frontend,oracle-catalog=Catalog". */
export function parseRenames(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new InputError(`"${part}" is not CONTAINER=NAME`, 'e.g. --rename oracle-frontend=Frontend,oracle-catalog=Catalog');
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
