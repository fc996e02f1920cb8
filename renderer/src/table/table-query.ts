// The trace table's filter language, parsed once per keystroke into predicates over columns.
//   12            trace id 12 (also `id:12`)
//   catalog       some container touched contains "catalog" (case-insensitive)
//   entry:front   the entry (root) container contains "front"
//   dur>5ms  dur<=1.5s   duration bounds (ns, us/µs, ms, s)
//   spans>10  events>=100  depth>3
//   shape:2       traces of request shape 2 (the numbers of the Shapes panel)
//   inferred      traces with a link the model inferred, or an orphan root (causal model)
//   orphan        traces whose root is an orphan (no rule found its parent)
// Terms are ANDed. A term that cannot be parsed is reported, not silently ignored.

export type NumField = 'duration' | 'spanCount' | 'eventCount' | 'depth' | 'id' | 'shape';
export type Cmp = '<' | '<=' | '>' | '>=' | '=';

export interface NumTerm {
  kind: 'num';
  field: NumField;
  cmp: Cmp;
  value: number;
}
export interface TextTerm {
  kind: 'container' | 'entry';
  text: string;
}
export interface LinkTerm {
  kind: 'link';
  which: 'inferred' | 'orphan';
}
export type FilterTerm = NumTerm | TextTerm | LinkTerm;

export interface ParsedFilter {
  terms: FilterTerm[];
  errors: string[];
}

const UNIT: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9 };
const FIELD: Record<string, NumField> = { dur: 'duration', duration: 'duration', spans: 'spanCount', events: 'eventCount', depth: 'depth', id: 'id', shape: 'shape' };

export function parseFilter(input: string): ParsedFilter {
  const terms: FilterTerm[] = [];
  const errors: string[] = [];
  for (const raw of input.trim().split(/\s+/)) {
    if (raw === '') continue;
    if (/^#?\d+$/.test(raw)) {
      terms.push({ kind: 'num', field: 'id', cmp: '=', value: Number(raw.replace('#', '')) });
      continue;
    }
    const num = /^([a-z]+)(<=|>=|<|>|=|:)(\d+(?:\.\d+)?)([a-zµ]*)$/i.exec(raw);
    if (num) {
      const field = FIELD[num[1]!.toLowerCase()];
      const unit = num[4]!.toLowerCase();
      if (field === undefined) {
        errors.push(`unknown field "${num[1]}" (use dur, spans, events, depth, id, shape)`);
        continue;
      }
      let value = Number(num[3]);
      if (field === 'duration') {
        const mult = UNIT[unit === '' ? 'ns' : unit];
        if (mult === undefined) {
          errors.push(`unknown unit "${num[4]}" in "${raw}" (use ns, µs, ms, s)`);
          continue;
        }
        value *= mult;
      } else if (unit !== '') {
        errors.push(`"${raw}": ${num[1]} takes a plain number`);
        continue;
      }
      const cmp = num[2] === ':' ? '=' : (num[2] as Cmp);
      terms.push({ kind: 'num', field, cmp, value });
      continue;
    }
    const link = /^(?:links?:)?(inferred|orphans?)$/i.exec(raw);
    if (link) {
      terms.push({ kind: 'link', which: link[1]!.toLowerCase().startsWith('orphan') ? 'orphan' : 'inferred' });
      continue;
    }
    const entry = /^entry:(.+)$/i.exec(raw);
    if (entry) {
      terms.push({ kind: 'entry', text: entry[1]!.toLowerCase() });
      continue;
    }
    const container = /^(?:container|c):(.+)$/i.exec(raw);
    terms.push({ kind: 'container', text: (container ? container[1]! : raw).toLowerCase() });
  }
  return { terms, errors };
}

export function compare(a: number, cmp: Cmp, b: number): boolean {
  switch (cmp) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '=':
      return a === b;
  }
}
