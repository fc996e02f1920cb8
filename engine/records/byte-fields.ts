// Byte-level helpers of the record scanner (byte-scanner.ts): names interned by their bytes, the
// probe field recognised from where its line ends, and field copies four bytes at a time. A
// DataView reads and writes unaligned 32-bit words; V8 compiles its accessors to plain loads and
// stores, so a 35-byte probe name is 9 word operations instead of 35 byte ones.

const PIPE = 124;

interface Interned {
  bytes: Buffer;
  id: number;
}

/** Strings by a hash of their bytes, verified byte for byte. */
export class ByteIntern {
  private readonly byHash = new Map<number, Interned[]>();
  /** The name found or added last: most lines have the command of the line before. */
  private last: Interned | null = null;

  /**
   * When buf[a, ...) starts with the last name's bytes followed by a pipe (before `limit`): that
   * pipe's position, and the name's id in `lastId`. Else -1. (A name ends at its line's first
   * pipe, so it holds none, and this pipe is the first.)
   */
  followsLast(buf: Buffer, a: number, limit: number): number {
    const l = this.last;
    if (l === null) return -1;
    const b = l.bytes;
    const n = b.length;
    if (a + n >= limit || buf[a + n] !== PIPE) return -1;
    for (let i = 0; i < n; i++) if (b[i] !== buf[a + i]) return -1;
    this.lastId = l.id;
    return a + n;
  }

  lastId = -1;

  find(buf: Buffer, a: number, b: number, h: number): number {
    const list = this.byHash.get(h);
    if (list === undefined) return -1;
    const n = b - a;
    outer: for (const e of list) {
      if (e.bytes.length !== n) continue;
      // From the end: names that collide differ there first.
      for (let i = n - 1; i >= 0; i--) if (e.bytes[i] !== buf[a + i]) continue outer;
      this.last = e;
      return e.id;
    }
    return -1;
  }

  add(buf: Buffer, a: number, b: number, h: number, id: number): void {
    const e = { bytes: Buffer.from(buf.subarray(a, b)), id };
    this.last = e;
    const list = this.byHash.get(h);
    if (list === undefined) this.byHash.set(h, [e]);
    else list.push(e);
  }
}

/** A probe field seen last at the end of a line: its exact bytes (quotes included). */
interface EndSlot {
  view: DataView;
  n: number;
  quoted: boolean;
  id: number;
}

const SLOT_BITS = 10;

/**
 * Probe fields that ended their line (no details), found again without looking for a pipe or
 * hashing the name: a line's last bytes pick a slot, and the field is the slot's probe when all
 * of its bytes are the slot's, from the field's start to the line's end. A probe name has no
 * pipe, so such a line has no details field. Anything else (a details field, a new probe, two
 * probes in one slot) is a miss, and the caller reads the field the long way.
 */
export class EndKeyedProbes {
  private readonly slots: (EndSlot | undefined)[] = new Array<EndSlot | undefined>(1 << SLOT_BITS).fill(undefined);

  /** The id of the probe whose field is exactly buf[a, e) (e: the line's end), or -1. */
  find(buf: Buffer, view: DataView, a: number, e: number, quoted: boolean): number {
    const n = e - a;
    if (n < 4) return -1;
    const s = this.slots[slotOf(buf, a, e)];
    if (s === undefined || s.n !== n || s.quoted !== quoted) return -1;
    const v = s.view;
    for (let j = 0; j + 4 < n; j += 4) if (v.getUint32(j, true) !== view.getUint32(a + j, true)) return -1;
    return v.getUint32(n - 4, true) === view.getUint32(e - 4, true) ? s.id : -1;
  }

  /** Remembers buf[a, e), a probe field that ended its line, as probe `id`. */
  remember(buf: Buffer, a: number, e: number, quoted: boolean, id: number): void {
    const n = e - a;
    if (n < 4) return;
    const bytes = Buffer.from(buf.subarray(a, e));
    this.slots[slotOf(buf, a, e)] = { view: new DataView(bytes.buffer, bytes.byteOffset, n), n, quoted, id };
  }
}

/** A slot from the field's length, its middle byte and the two bytes before its last. */
function slotOf(buf: Buffer, a: number, e: number): number {
  const n = e - a;
  return Math.imul(n ^ (buf[e - 2]! << 8) ^ (buf[e - 3]! << 16) ^ (buf[a + (n >> 1)]! << 24), 0x9e3779b1) >>> (32 - SLOT_BITS);
}

/** A DataView over exactly the bytes of `buf`. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Copies src[a, b) to dst at w and returns the position after it; words of four bytes, the last
 * one overlapping the one before, so nothing outside [a, b) is read nor outside the copy written.
 */
export function copyBytes(src: Buffer, sv: DataView, a: number, b: number, dst: Buffer, dv: DataView, w: number): number {
  const n = b - a;
  if (n < 4) {
    for (let i = a; i < b; i++) dst[w++] = src[i]!;
    return w;
  }
  for (let j = 0; j + 4 < n; j += 4) dv.setUint32(w + j, sv.getUint32(a + j, true), true);
  dv.setUint32(w + n - 4, sv.getUint32(b - 4, true), true);
  return w + n;
}
