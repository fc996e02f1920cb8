import type { SpanLink } from '../../../engine/model/span-link.js';

// How a span was linked to its parent, in words (tooltip, details panel).

const RULE_TEXT: Record<SpanLink['rule'], string> = {
  root: 'a request from outside (trace root)',
  fork: 'forked while its parent served the request',
  birth: 'its connection was opened while the parent served the request',
  thread: 'the parent thread had this one request open',
  slice: 'the last request read since the event loop last waited',
  'last-read': 'the last request read on the thread (no loop boundary recorded)',
  pipelined: 'a pipelined request on a shared connection',
  orphan: 'no rule found a parent (orphan)',
  original: 'the original model',
};

export function linkText(link: SpanLink): string {
  return `Link: ${link.rule}, ${link.exact ? 'exact' : 'inferred'} (${RULE_TEXT[link.rule]})`;
}
