// Container names as a figure shows them. Real names are long and share a prefix (compose
// projects: `shop-catalog-1`; Kubernetes: `k8s_…`); a paper wants `catalog`. The editor strips
// the prefix all of a trace's containers share, cut back to a separator so no word is split,
// and the user may edit each name. The result travels as `--rename a=A,b=B` (no ',' or '=').

const SEPARATOR = /[-_.]/;

/** The longest prefix every name has, ending at a separator, that leaves every name non-empty. */
export function commonPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  // Back to the last separator: "oracle-c" of oracle-catalog/oracle-cart is "oracle-".
  let cut = p.length;
  while (cut > 0 && !SEPARATOR.test(p[cut - 1]!)) cut--;
  p = p.slice(0, cut);
  return names.every((n) => n.length > p.length) ? p : '';
}

/** Why a display name cannot be used, or null. */
export function nameProblem(name: string): string | null {
  if (/[,=]/.test(name)) return 'a name cannot contain “,” or “=”';
  return null;
}

export interface FigureName {
  container: string;
  /** As the figure shows it. */
  name: string;
  /** Edited by the user (else stripped or as captured). */
  edited: boolean;
}

/** Each container's display name: the user's edit, else the name without the common prefix (when stripping), else itself. */
export function figureNames(containers: readonly string[], edits: Readonly<Record<string, string>>, strip: boolean): FigureName[] {
  const prefix = strip ? commonPrefix(containers) : '';
  return containers.map((container) => {
    const edit = edits[container];
    if (edit !== undefined && edit.trim() !== '') return { container, name: edit.trim(), edited: true };
    return { container, name: container.slice(prefix.length), edited: false };
  });
}

/** The containers of a trace in order of first appearance (the root's first). */
export function traceContainers(spans: readonly { container: string }[]): string[] {
  return [...new Set(spans.map((s) => s.container))];
}
