// A JSON writer that prints exactly what Python's json.dumps prints (the original tool's output):
// `, ` and `: ` separators when compact, `,` and `: ` with indent, non-ASCII escaped as \uXXXX.
// Integers that must stay exact (nanosecond timestamps) are passed as RawNumber.

export class RawNumber {
  constructor(readonly text: string) {}
}

export type PyJsonValue = null | boolean | number | string | RawNumber | PyJsonValue[] | { [k: string]: PyJsonValue };

export function pyJson(v: PyJsonValue, indent?: number): string {
  const parts: string[] = [];
  write(v, indent ?? -1, 0, parts);
  return parts.join('');
}

/** `v` as it is written nested `level` deep in a document indented by `indent` (for writing one piece at a time). */
export function pyJsonAt(v: PyJsonValue, indent: number | undefined, level: number): string {
  const parts: string[] = [];
  write(v, indent ?? -1, level, parts);
  return parts.join('');
}

function write(v: PyJsonValue, indent: number, level: number, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number') out.push(pyNumber(v));
  else if (typeof v === 'string') out.push(pyString(v));
  else if (v instanceof RawNumber) out.push(v.text);
  else if (Array.isArray(v)) {
    if (v.length === 0) return void out.push('[]');
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(indent >= 0 ? ',' : ', ');
      if (indent >= 0) out.push('\n', ' '.repeat(indent * (level + 1)));
      write(x, indent, level + 1, out);
    });
    if (indent >= 0) out.push('\n', ' '.repeat(indent * level));
    out.push(']');
  } else {
    const keys = Object.keys(v);
    if (keys.length === 0) return void out.push('{}');
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(indent >= 0 ? ',' : ', ');
      if (indent >= 0) out.push('\n', ' '.repeat(indent * (level + 1)));
      out.push(pyString(k), ': ');
      write(v[k]!, indent, level + 1, out);
    });
    if (indent >= 0) out.push('\n', ' '.repeat(indent * level));
    out.push('}');
  }
}

function pyNumber(n: number): string {
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : n.toFixed(0);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  return String(n);
}

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}
