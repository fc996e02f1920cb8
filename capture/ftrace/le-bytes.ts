// Little-endian integers read from a ring-buffer page by hand. Buffer's readUInt32LE and friends
// check their arguments at every call and, in the relay's walk over every page of a capture
// (which runs while the traced application does), were not inlined: the five fields a send or
// receive needs cost about 65 ns an event more than this arithmetic (measured on a real capture's
// pages). Callers stay inside the page: the walk checks each event's length before its fields.

export function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function i16(b: Uint8Array, o: number): number {
  return (u16(b, o) << 16) >> 16;
}

export function i32(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

export function u32(b: Uint8Array, o: number): number {
  return i32(b, o) >>> 0;
}
