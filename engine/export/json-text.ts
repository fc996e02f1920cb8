// A JSON writer for exports. Like JSON.stringify, plus RawJson: a number literal written as given,
// so exact nanosecond and microsecond values derived from bigints (beyond 2^53, or with three
// decimals) reach the file digit for digit instead of through a double.

export class RawJson {
  constructor(readonly text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) throw new Error(`not a JSON number literal: ${text}`);
  }
}

export type JsonValue = null | boolean | number | string | RawJson | readonly JsonValue[] | { readonly [k: string]: JsonValue | undefined };

/**
 * An array whose items come from an iterable, written as the array of those items would be: an
 * export of millions of spans is written item by item instead of held whole (issue 13's 1 GB at
 * 10M records). Its items must not hold lazy arrays themselves.
 */
export class LazyArray {
  constructor(readonly items: Iterable<JsonValue>) {}
}

/** A document that may hold lazy arrays (outside their items). */
export type StreamedJson = JsonValue | LazyArray | readonly StreamedJson[] | { readonly [k: string]: StreamedJson | undefined };

/** Serializes `v`; object keys keep insertion order, undefined members are left out. */
export function jsonText(v: StreamedJson, indent = 0): string {
  return [...jsonChunks(v, indent)].join('');
}

/** The text of `v` as chunks of about `chunkChars` (more for one huge item), concatenating to jsonText(v). */
export function* jsonChunks(v: StreamedJson, indent = 0, chunkChars = 1 << 20): Generator<string> {
  const out: string[] = [];
  const size = { n: 0 };
  for (const _ of streamed(v, indent, '', out, size, chunkChars)) {
    yield out.join('');
    out.length = 0;
    size.n = 0;
  }
  if (out.length > 0) yield out.join('');
}

/** Writes `v` into `out`; yields (nothing) when `out` holds a chunk, between items of a lazy array. */
function* streamed(v: StreamedJson, indent: number, pad: string, out: string[], size: { n: number }, chunkChars: number): Generator<void> {
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const nl = indent > 0 ? '\n' : '';
  if (v instanceof LazyArray) {
    let first = true;
    for (const x of v.items) {
      const before = out.length;
      out.push(first ? '[' : ',', nl, inner);
      write(x, indent, inner, out);
      first = false;
      for (let i = before; i < out.length; i++) size.n += out[i]!.length;
      if (size.n >= chunkChars) yield;
    }
    out.push(first ? '[]' : `${nl}${indent > 0 ? pad : ''}]`);
    return;
  }
  if (v === null || typeof v !== 'object' || v instanceof RawJson) return write(v, indent, pad, out);
  const colon = indent > 0 ? ': ' : ':';
  const entries = Array.isArray(v)
    ? (v as readonly StreamedJson[]).map((x) => [null, x] as const)
    : (Object.entries(v as { [k: string]: StreamedJson | undefined }).filter(([, x]) => x !== undefined) as [string, StreamedJson][]);
  if (entries.length === 0) return void out.push(Array.isArray(v) ? '[]' : '{}');
  out.push(Array.isArray(v) ? '[' : '{', nl);
  for (let i = 0; i < entries.length; i++) {
    const [k, x] = entries[i]!;
    out.push(inner);
    if (k !== null) out.push(JSON.stringify(k), colon);
    yield* streamed(x, indent, inner, out, size, chunkChars);
    out.push(i < entries.length - 1 ? ',' : '', nl);
  }
  out.push(indent > 0 ? pad : '', Array.isArray(v) ? ']' : '}');
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
  if (v instanceof LazyArray) throw new Error('a lazy array inside an item of a lazy array');
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
