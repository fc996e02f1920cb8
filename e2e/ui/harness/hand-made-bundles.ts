import { join } from 'node:path';
import { writeSyntheticCapture, type SyntheticShape } from '../../../bench/synthetic-capture.js';
import { buildBundle } from '../../../engine/bundle/build-bundle.js';
import { packTraceTable, unpackTraceTable, type PackedTraceTable } from '../../../engine/model/packed-trace-table.js';
import type { SpanLink } from '../../../engine/model/span-link.js';
import type { BundleAccess } from '../../../electron/app-services/bundle-access.js';
import type { BundleInfo, SpanDto, TraceDetail } from '../../../electron/ipc-contract.js';

// Hand-made traces for the UI checks of issue 14 and of the causal model's provenance:
// - a synthetic capture whose containers have real-world long names (k8s_…, compose prefixes),
//   built into a bundle by the real engine;
// - links (rule, exact) laid over a real bundle's spans by a rule the test states, served through
//   the real bundle access, for as long as no generator writes links into bundles.

export const LONG_FRONT = 'k8s_frontend_frontend-6f7d9c8b5-x2kq9_production-namespace_3f9a2c1e-8b7d-4e6f_0';
export const LONG_BACK = 'myshop-compose-project_catalog-service-with-a-long-name_1';

export async function buildLongNameBundle(dir: string, shape: SyntheticShape, name = 'long-names.mstrace'): Promise<string> {
  const c = await writeSyntheticCapture(dir, shape);
  const meta = c.meta.map((m, i) => ({ ...m, container: i === 0 ? LONG_FRONT : LONG_BACK }));
  const path = join(dir, name);
  await buildBundle({ sortedPath: c.sortedPath, meta, gateway: c.gateway, output: path, capture: { backend: 'import', network: 'synthetic' } });
  return path;
}

export type LinkRuleOf = (traceId: number, span: SpanDto) => SpanLink | undefined;

/** The app's own bundle access, with a model name and the given links laid over every trace. */
export class LinkedBundleAccess implements BundleAccess {
  constructor(
    private readonly inner: BundleAccess,
    private readonly linkOf: LinkRuleOf,
  ) {}

  async open(path: string): Promise<BundleInfo> {
    return { ...(await this.inner.open(path)), model: 'causal' };
  }

  async traceTable(bundleId: string): Promise<PackedTraceTable> {
    const t = unpackTraceTable(await this.inner.traceTable(bundleId));
    const inferredLinks: number[] = [];
    const orphans: number[] = [];
    for (const id of t.id) {
      const d = await this.traceDetail(bundleId, id);
      inferredLinks.push(d.spans.filter((s) => s.parent >= 0 && s.link !== undefined && !s.link.exact).length);
      orphans.push(d.spans[0]!.link?.rule === 'orphan' ? 1 : 0);
    }
    return packTraceTable({ ...t, inferredLinks, orphans });
  }

  async traceDetail(bundleId: string, traceId: number): Promise<TraceDetail> {
    const d = await this.inner.traceDetail(bundleId, traceId);
    return {
      ...d,
      spans: d.spans.map((s: SpanDto) => {
        const link = this.linkOf(traceId, s);
        return link === undefined ? s : { ...s, link };
      }),
    };
  }

  close = (id: string) => this.inner.close(id);
  spanRecords = (b: string, t: number, s: number, o: number, l: number) => this.inner.spanRecords(b, t, s, o, l);
  pathOf = (id: string) => this.inner.pathOf(id);
  bundleStats = (id: string) => this.inner.bundleStats(id);
  openCount = () => this.inner.openCount();
  dispose = () => this.inner.dispose();
}
