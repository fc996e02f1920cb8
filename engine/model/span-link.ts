// Provenance of a parent-child link in a request trace: which rule of a model made it and
// whether that rule is exact or an inference. docs/request-model.md lists the rules.

/** The models that generate traces: the original MiSeRTrace model and the causal model. */
export type ModelName = 'original' | 'causal';
export const MODEL_NAMES: readonly ModelName[] = ['original', 'causal'];
/** The model generate, bundle import, capture and the app use unless told otherwise. */
export const DEFAULT_MODEL: ModelName = 'causal';

/**
 * How a span was linked to its parent.
 * - `root`: a request from outside the traced network starts a trace (no parent);
 * - `fork`: a thread forked while its parent served the request (fork lineage);
 * - `birth`: a connection connected while the thread served the request, its first use;
 * - `thread`: the sending thread had exactly one open request (thread per request);
 * - `slice`: the last request or reply read on the thread since its event loop last waited;
 * - `last-read`: the last request or reply read on the thread, no loop boundary known;
 * - `pipelined`: a request on a connection that carried another without a reply between;
 * - `orphan`: no rule decided; the span is a root of its own, reported as a diagnostic;
 * - `original`: made by the original model (thread-centric; not classified).
 */
export type LinkRule = 'root' | 'fork' | 'birth' | 'thread' | 'slice' | 'last-read' | 'pipelined' | 'orphan' | 'original';
export const LINK_RULES: readonly LinkRule[] = ['root', 'fork', 'birth', 'thread', 'slice', 'last-read', 'pipelined', 'orphan', 'original'];

export interface SpanLink {
  rule: LinkRule;
  /** True when the rule cannot be wrong on well-formed records (the connection itself is always exact). */
  exact: boolean;
}

/** The rules that are exact by construction; the others are inferences. */
export function isExactRule(rule: LinkRule): boolean {
  return rule === 'root' || rule === 'fork' || rule === 'birth' || rule === 'thread';
}
