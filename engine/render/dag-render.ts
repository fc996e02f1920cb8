import type { AssembledTrace, FlatSpan } from '../model/trace-assembly.js';
import type { TimeBase } from '../model/time.js';
import { pyJson, pyJsonAt, RawNumber, type PyJsonValue } from './py-json.js';

// The original tool's two DAG renders: raw JSON keyed by trace id, and the indented text tree.

const KIND_NAME = { network: 'NetworkThreadState', fork: 'ForkThreadState' } as const;

export interface HandlerOutputs {
  /** Per trace id: the trace handler's result. */
  trace: (traceId: number) => PyJsonValue;
  /** Per trace id and span index: the span handler's result. */
  span: (traceId: number, index: number) => PyJsonValue;
}

function threadState(s: FlatSpan, base: TimeBase): PyJsonValue {
  return {
    State: KIND_NAME[s.kind],
    PID: s.tid,
    Container: s.container,
    IP: s.ip,
    StartTime: new RawNumber(base.absString(s.start)),
    EndTime: new RawNumber(base.absString(s.end)),
  };
}

/** The nested object of one trace, in the original's key order. */
export function traceObject(t: AssembledTrace, base: TimeBase, outputs?: HandlerOutputs): PyJsonValue {
  const nodes: { [k: string]: PyJsonValue }[] = t.spans.map((s) => {
    const o: { [k: string]: PyJsonValue } = {};
    if (s.parent < 0) o['TraceID'] = t.id;
    o['ThreadState'] = threadState(s, base);
    if (outputs) {
      if (s.parent < 0) o['TraceOutput'] = outputs.trace(t.id);
      o['ThreadOutput'] = outputs.span(t.id, s.index);
    }
    o['Children'] = [];
    return o;
  });
  for (const s of t.spans) if (s.parent >= 0) (nodes[s.parent]!['Children'] as PyJsonValue[]).push(nodes[s.index]!);
  return nodes[0]!;
}

export function renderDagJson(traces: readonly AssembledTrace[], base: TimeBase, opts: { indent?: boolean; outputs?: HandlerOutputs } = {}): string {
  // An object keyed by trace id lists its keys in ascending numeric order, the last of equal ids winning.
  const byId = new Map(traces.map((t) => [t.id, t]));
  return [...renderDagJsonChunks([...byId.values()].sort((a, b) => a.id - b.id), base, opts)].join('');
}

/** renderDagJson one trace at a time; `traces` in ascending id order, each id once (what renderDagJson sorts them into). */
export function* renderDagJsonChunks(traces: Iterable<AssembledTrace>, base: TimeBase, opts: { indent?: boolean; outputs?: HandlerOutputs } = {}): Generator<string> {
  const indent = opts.indent ? 4 : undefined;
  let first = true;
  for (const t of traces) {
    const key = `${pyJson(String(t.id))}: ${pyJsonAt(traceObject(t, base, opts.outputs), indent, 1)}`;
    yield `${first ? '{' : ','}${indent === undefined ? (first ? '' : ' ') : '\n    '}${key}`;
    first = false;
  }
  yield first ? '{}\n' : `${indent === undefined ? '' : '\n'}}\n`;
}

const C = { reset: '\x1b[0m', bold: '\x1b[1m', net: '\x1b[32m', fork: '\x1b[31m', container: '\x1b[36m', dim: '\x1b[2m' };

/** One line per node, indented by depth, as the original's `-t dag`. */
/** With `links`, each child line ends with how it was linked: `[rule exact|inferred]` (causal model). */
export function renderDagText(traces: readonly AssembledTrace[], base: TimeBase, opts: { color?: boolean; links?: boolean } = {}): string {
  return [...renderDagTextChunks(traces, base, opts)].join('');
}

/** renderDagText one trace at a time. */
export function* renderDagTextChunks(traces: Iterable<AssembledTrace>, base: TimeBase, opts: { color?: boolean; links?: boolean } = {}): Generator<string> {
  const c = opts.color === true;
  for (const t of traces) {
    const out: string[] = [];
    for (const s of t.spans) {
      const dur = s.end - s.start;
      const tail = ` with PID ${s.tid} at timestamp ${base.absString(s.start)} for a duration of ${dur} ns`;
      if (s.parent < 0) {
        const link = opts.links === true && s.link !== undefined ? ` [${s.link.rule} ${s.link.exact ? 'exact' : 'inferred'}]` : '';
        out.push(c ? `${C.bold}${t.id}${C.reset} ${C.container}${s.container}${C.reset}${tail}${link}` : `${t.id} ${s.container}${tail}${link}`);
      } else {
        const kind = KIND_NAME[s.kind];
        const k = c ? `${s.kind === 'network' ? C.net : C.fork}${kind}${C.reset}` : kind;
        const ct = c ? `${C.container}${s.container}${C.reset}` : s.container;
        const link = opts.links === true ? ` [${s.link === undefined ? 'original' : `${s.link.rule} ${s.link.exact ? 'exact' : 'inferred'}`}]` : '';
        out.push(`${'\t'.repeat(s.depth)} ${k} ${ct}${tail}${link}`);
      }
    }
    if (out.length > 0) yield `${out.join('\n')}\n`;
  }
}
