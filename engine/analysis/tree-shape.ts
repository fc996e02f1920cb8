// The shape of a request trace: what called what, without the times. Two traces have the same
// shape when their trees are equal once each span is reduced to its kind and container and the
// children of every span are put in one canonical order (sorted by their own shape text), so
// that two calls made in the other order, or a fork that happened to start first, do not split
// a request type in two. Repeated identical siblings are written once with a count (`×3`): a
// fan-out of 3 and one of 4 are different shapes, but the text stays short.

/** What a shape needs of a span: spans in pre-order (a parent before its children). */
export interface ShapeSpan {
  parent: number;
  kind: 'network' | 'fork';
  container: string;
}

/**
 * A subtree whose text grows past this many characters is replaced by a digest of that text, so
 * that a 10,000-deep fork chain costs linear time and memory instead of a quadratic string. The
 * digest is a function of the canonical text, so the key stays canonical.
 */
export const SHAPE_TEXT_LIMIT = 2048;

const ESCAPE = /[\\(),×#]/g;

// Container names repeat across every trace of a bundle: each is escaped once.
const escaped = new Map<string, string>();
function escapeName(s: string): string {
  let e = escaped.get(s);
  if (e === undefined) {
    e = s.replace(ESCAPE, (c) => `\\${c}`);
    if (escaped.size > 10_000) escaped.clear();
    escaped.set(s, e);
  }
  return e;
}

/** Two 32-bit FNV-1a variants (different offsets): a 64-bit digest, enough for the subtrees of one bundle. */
export function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function nodeText(kind: ShapeSpan['kind'], container: string, kids: string[] | undefined): string {
  const head = `${kind === 'fork' ? 'F' : 'N'}:${escapeName(container)}`;
  if (kids === undefined || kids.length === 0) return head;
  kids.sort();
  const parts: string[] = [];
  for (let i = 0; i < kids.length; ) {
    let j = i + 1;
    while (j < kids.length && kids[j] === kids[i]) j++;
    parts.push(j - i > 1 ? `${kids[i]}×${j - i}` : kids[i]!);
    i = j;
  }
  return `${head}(${parts.join(',')})`;
}

/**
 * The canonical shape text of one trace: `N:frontend(N:catalog(F:catalog),N:kvstore×2)`
 * (N network, F fork). Children's texts are built first (pre-order read backwards), so the walk
 * is iterative: fork chains can be thousands deep.
 */
export function shapeKey(spans: readonly ShapeSpan[]): string {
  if (spans.length === 0) return '';
  const kids: (string[] | undefined)[] = new Array(spans.length);
  let text = '';
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i]!;
    text = nodeText(s.kind, s.container, kids[i]);
    kids[i] = undefined;
    if (text.length > SHAPE_TEXT_LIMIT) text = `#${digest(text)}`;
    if (s.parent >= 0) (kids[s.parent] ??= []).push(text);
  }
  return text;
}

/** The containers a shape's text names, in first-seen order (digested subtrees name none). */
export function shapeContainers(key: string): string[] {
  const out = new Set<string>();
  for (const m of key.matchAll(/[NF]:((?:\\.|[^\\(),×#])*)/g)) out.add(m[1]!.replace(/\\(.)/g, '$1'));
  return [...out];
}
