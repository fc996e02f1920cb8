// Reads a shape text (tree-shape.ts) back into a tree, for drawing a shape's thumbnail and for
// listing what it calls. `count` is a repeat (`×3`); a digested subtree (`#…`) is one opaque node.

export interface ShapeNode {
  kind: 'network' | 'fork' | 'digest';
  container: string;
  count: number;
  kids: ShapeNode[];
}

export function parseShape(key: string): ShapeNode | null {
  let i = 0;
  const name = (): string => {
    let out = '';
    while (i < key.length && !'(),×'.includes(key[i]!)) {
      if (key[i] === '\\') i++;
      out += key[i++] ?? '';
    }
    return out;
  };
  // Iterative: a shape text can nest thousands deep (up to the digest limit).
  const root: ShapeNode = { kind: 'network', container: '', count: 1, kids: [] };
  const stack: ShapeNode[] = [root];
  while (i < key.length) {
    const parent = stack[stack.length - 1]!;
    const c = key[i]!;
    if (c === ',') {
      i++;
      continue;
    }
    if (c === ')') {
      stack.pop();
      i++;
      continue;
    }
    let node: ShapeNode;
    if (c === '#') {
      i++;
      node = { kind: 'digest', container: name(), count: 1, kids: [] };
    } else if ((c === 'N' || c === 'F') && key[i + 1] === ':') {
      i += 2;
      node = { kind: c === 'N' ? 'network' : 'fork', container: name(), count: 1, kids: [] };
    } else return null;
    parent.kids.push(node);
    if (key[i] === '×') {
      i++;
      const m = /^\d+/.exec(key.slice(i, i + 12));
      if (m === null) return null;
      node.count = Number(m[0]);
      i += m[0].length;
    }
    if (key[i] === '(') {
      i++;
      stack.push(node);
    }
  }
  return root.kids.length === 1 && stack.length === 1 ? root.kids[0]! : null;
}
