// Looks up a substring among a small set of known strings without slicing it first: the hot
// path of the parser meets the same few probe names and command names millions of times.

export class InternTable<T> {
  private readonly buckets = new Map<number, { text: string; value: T }[]>();

  constructor(
    private readonly create: (text: string) => T,
    /** Checked on first sight only: a string it refuses is not interned (null is returned). */
    private readonly accept: (text: string) => boolean = () => true,
  ) {}

  private static key(s: string, a: number, b: number): number {
    const n = b - a;
    return n === 0 ? 0 : n * 65536 + s.charCodeAt(b - 1) * 256 + (s.charCodeAt(a + (n >> 1)) & 255);
  }

  /** The value for s.slice(a, b), created on first sight; null if `accept` refuses it. */
  get(s: string, a: number, b: number): T | null {
    const k = InternTable.key(s, a, b);
    const bucket = this.buckets.get(k);
    if (bucket !== undefined) {
      for (const e of bucket) if (s.startsWith(e.text, a)) return e.value;
    }
    const text = s.slice(a, b);
    if (!this.accept(text)) return null;
    const value = this.create(text);
    if (bucket === undefined) this.buckets.set(k, [{ text, value }]);
    else bucket.push({ text, value });
    return value;
  }
}
