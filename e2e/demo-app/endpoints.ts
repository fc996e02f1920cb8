import { DEFAULT_MODEL, type ModelName } from '../../engine/model/span-link.js';
import type { PlannedRequest } from './load-generator.js';

// The demo app's endpoints and the request trace each must give: containers (by role), span kinds
// (N = network, F = fork) and nesting, written `N:frontend(N:catalog(...),N:inventory)`.
//
// The causal model (the default, ADR 0040) gives each endpoint its true tree (`truth`). Under the
// original MiSeRTrace model (`--model original`, docs/request-model.md section 7), /checkout's
// second inventory call (/reserve) rides the same persistent inventory->kvstore connection in the
// same trace, so its kvstore work folds into the first kvstore span: the second inventory span has
// no child (`tree`). The catalog's forks are busybox httpd's CGI: sh => subshell (echo | sed: two
// forks) and wget.

export interface Endpoint {
  name: 'checkout' | 'item' | 'stock' | 'cart' | 'order' | 'price';
  path(n: number): string;
  example: string;
  /** The tree the original model gives (`--model original`). */
  tree: string;
  /**
   * The true causal tree, what the ground-truth logs describe (e2e/accuracy): where the original
   * model folds a call into another span (/checkout's /reserve), this tree has the call.
   */
  truth: string;
  /** Served only when the app runs its third-party servers (DemoAppOptions.thirdParty). */
  thirdParty?: boolean;
}

const CATALOG = 'N:catalog(F:catalog(F:catalog(F:catalog,F:catalog),F:catalog(N:inventory(N:kvstore))))';

export const ENDPOINTS: readonly Endpoint[] = [
  { name: 'checkout', path: (n) => `/checkout?item=${n}`, example: '/checkout?item=1', tree: `N:frontend(${CATALOG},N:inventory)`, truth: `N:frontend(${CATALOG},N:inventory(N:kvstore))` },
  { name: 'item', path: (n) => `/item?id=${n}`, example: '/item?id=1', tree: `N:frontend(${CATALOG})`, truth: `N:frontend(${CATALOG})` },
  { name: 'stock', path: (n) => `/stock?id=${n}`, example: '/stock?id=1', tree: 'N:frontend(N:inventory(N:kvstore))', truth: 'N:frontend(N:inventory(N:kvstore))' },
  // nginx (epoll workers, keep-alive upstream) in front of the inventory, which asks redis over
  // one connection shared by all its requests.
  {
    name: 'cart',
    path: (n) => `/cart?id=${n}`,
    example: '/cart?id=1',
    tree: 'N:frontend(N:proxy(N:inventory(N:redis)))',
    truth: 'N:frontend(N:proxy(N:inventory(N:redis)))',
    thirdParty: true,
  },
  // PostgreSQL: a new connection per query, so the postmaster forks a backend for each.
  { name: 'order', path: (n) => `/order?id=${n}`, example: '/order?id=1', tree: 'N:frontend(N:inventory(N:db))', truth: 'N:frontend(N:inventory(N:db))', thirdParty: true },
  // A Python thread-pool server: a connection waits in the pool's queue until a worker takes it.
  { name: 'price', path: (n) => `/price?id=${n}`, example: '/price?id=1', tree: 'N:frontend(N:pricing)', truth: 'N:frontend(N:pricing)', thirdParty: true },
];

/** The tree `model` gives for endpoint `e` on sequential requests: the true tree, but for the original model. */
export function treeOf(e: Endpoint, model: ModelName = DEFAULT_MODEL): string {
  return model === 'original' ? e.tree : e.truth;
}

/**
 * `perEndpoint` requests of each endpoint, in rotation, item numbers cycling 1..8; the third-party
 * endpoints only with `thirdParty`.
 */
export function planRequests(perEndpoint: number, thirdParty = false): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const endpoints = ENDPOINTS.filter((e) => thirdParty || !e.thirdParty);
  for (let i = 0; i < perEndpoint * endpoints.length; i++) {
    const e = endpoints[i % endpoints.length]!;
    out.push({ endpoint: e.name, path: e.path((i % 8) + 1) });
  }
  return out;
}

export interface TreeSpan {
  parent: number;
  kind: 'network' | 'fork';
  role: string;
}

/** The canonical shape of a pre-order span list (parents before children, children in order). */
export function treeShape(spans: readonly TreeSpan[]): string {
  const kids: number[][] = spans.map(() => []);
  let root = -1;
  spans.forEach((s, i) => (s.parent < 0 ? (root = i) : kids[s.parent]!.push(i)));
  if (root < 0) return '';
  const render = (i: number): string => {
    const s = spans[i]!;
    const head = `${s.kind === 'network' ? 'N' : 'F'}:${s.role}`;
    return kids[i]!.length === 0 ? head : `${head}(${kids[i]!.map(render).join(',')})`;
  };
  return render(root);
}
