// Growing typed-array columns: a new array of the given capacity holding the old contents.

type Column = Int32Array | Float64Array | Uint8Array;

export function grown<T extends Column>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}
