// Deep links to a trace or a span: misertrace://open?bundle=<absolute path>&trace=<id>&span=<index>.
// The app registers the scheme (electron/main.ts); main parses and checks every field
// (electron/app-services/deep-links.ts, docs/adr/0101) before the renderer sees any of it.

export function deepLink(bundlePath: string, traceId: number, spanIndex?: number): string {
  const q = new URLSearchParams({ bundle: bundlePath, trace: String(traceId) });
  if (spanIndex !== undefined) q.set('span', String(spanIndex));
  return `misertrace://open?${q.toString()}`;
}
