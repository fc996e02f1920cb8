import { InputError } from '../model/meta.js';

// Trace ranges as the original tool takes them: `1-4,6`.

export function parseRange(spec: string, traceCount: number): number[] {
  const ids = new Set<number>();
  const s = spec.trim();
  if (s === '') throw new InputError('empty trace range', 'use a list such as 1-4,6');
  for (const part of s.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new InputError(`"${part.slice(0, 40)}" is not a trace range`, 'use a list such as 1-4,6');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new InputError(`range ${part.trim()} runs backwards`, `write it as ${b}-${a}`);
    if (a < 1 || b > traceCount) {
      throw new InputError(
        traceCount === 0 ? `range ${part.trim()} asks for traces, but there are none` : `range ${part.trim()} is outside the traces (1-${traceCount})`,
        traceCount === 0 ? 'the capture produced no request traces; check the gateway IP and that the load went through it' : `choose ids between 1 and ${traceCount}`,
      );
    }
    for (let i = a; i <= b; i++) ids.add(i);
  }
  return [...ids].sort((x, y) => x - y);
}
