// A JSON writer for exports. Like JSON.stringify, plus RawJson: a number literal written as given,
// so exact nanosecond and microsecond values derived from bigints (beyond 2^53, or with three
// decimals) reach the file digit for digit instead of through a double.

export class RawJson {
  constructor(readonly text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) throw new Error(`not a JSON number literal: ${text}`);
  }
}

export type JsonValue = null | boolean | number | string | RawJson | readonly JsonValue[] | { readonly [k: string]: JsonValue | undefined };

/** Serializes `v`; object keys keep insertion order, undefined members are left out. */
export function jsonText(v: JsonValue, indent = 0): string {
  const out: string[] = [];
  write(v, indent, '', out);
  return out.join('');
}

function write(v: JsonValue, indent: number, pad: string, out: string[]): void {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') {
    out.push(JSON.stringify(v));
    return;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as JSON`);
    out.push(JSON.stringify(v));
    return;
  }
  if (v instanceof RawJson) {
    out.push(v.text);
    return;
  }
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const nl = indent > 0 ? '\n' : '';
  const colon = indent > 0 ? ': ' : ':';
  if (Array.isArray(v)) {
    const arr = v as readonly JsonValue[];
    if (arr.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[', nl);
    arr.forEach((x, i) => {
      out.push(inner);
      write(x, indent, inner, out);
      out.push(i < arr.length - 1 ? ',' : '', nl);
    });
    out.push(indent > 0 ? pad : '', ']');
    return;
  }
  const entries = Object.entries(v as { [k: string]: JsonValue | undefined }).filter(([, x]) => x !== undefined) as [string, JsonValue][];
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{', nl);
  entries.forEach(([k, x], i) => {
    out.push(inner, JSON.stringify(k), colon);
    write(x, indent, inner, out);
    out.push(i < entries.length - 1 ? ',' : '', nl);
  });
  out.push(indent > 0 ? pad : '', '}');
}
