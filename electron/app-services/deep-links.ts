import { extname, isAbsolute, normalize } from 'node:path';
import type { EventContract, EventName } from '../ipc-contract.js';
import type { PathGrants } from './path-grants.js';

// Deep links: misertrace://open?bundle=<absolute path to a .mstrace>&trace=<id>[&span=<index>]
// (docs/adr/0101). They come from outside the app (a browser, a chat, a paper's supplement), so
// main checks every field before anything is granted or sent: the scheme and the one verb, only
// known parameters and each once, an absolute normalized path to a .mstrace file, whole numbers
// in range. A good link grants its path for opening (as a file the OS asked to open, ADR 0056)
// and is pushed to the renderer; a bad one is refused with what is wrong, nothing touched.

export const LINK_SCHEME = 'misertrace';
const MAX_LINK = 8192;
const MAX_ID = 2 ** 31 - 1;
const KNOWN = new Set(['bundle', 'trace', 'span']);

export interface DeepLinkTarget {
  path: string;
  traceId: number;
  spanIndex: number | null;
}

export type ParsedLink = { ok: true; target: DeepLinkTarget } | { ok: false; message: string };

function wholeNumber(v: string | null, name: string, min: number): number | string {
  if (v === null) return `it has no ${name}`;
  if (!/^\d{1,10}$/.test(v)) return `its ${name} (${v.slice(0, 40)}) is not a whole number`;
  const n = Number(v);
  return n < min || n > MAX_ID ? `its ${name} (${v}) is out of range` : n;
}

export function parseDeepLink(link: string): ParsedLink {
  const bad = (message: string): ParsedLink => ({ ok: false, message });
  if (typeof link !== 'string' || link.length > MAX_LINK) return bad('it is not a link of a usable length');
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return bad('it is not a URL');
  }
  if (url.protocol !== `${LINK_SCHEME}:`) return bad(`it is not a ${LINK_SCHEME}:// link`);
  // `misertrace://open?…` parses with "open" as the host; `misertrace:open?…` as the path.
  const verb = url.host !== '' ? url.host + url.pathname.replace(/\/$/, '') : url.pathname;
  if (verb !== 'open') return bad(`it asks for "${verb.slice(0, 40)}"; the app only opens (misertrace://open?…)`);
  if (url.username !== '' || url.password !== '' || url.port !== '' || url.hash !== '') return bad('it has parts a link to a trace never has');
  const seen = new Set<string>();
  for (const k of url.searchParams.keys()) {
    if (!KNOWN.has(k)) return bad(`it has an unknown field "${k.slice(0, 40)}"`);
    if (seen.has(k)) return bad(`its field "${k}" is given twice`);
    seen.add(k);
  }
  const path = url.searchParams.get('bundle');
  if (path === null || path === '') return bad('it names no bundle');
  if (path.includes('\0')) return bad('its bundle path holds a NUL character');
  if (!isAbsolute(path) || normalize(path) !== path) return bad('its bundle path is not an absolute, normalized path');
  if (extname(path) !== '.mstrace') return bad('its bundle is not a .mstrace file');
  const traceId = wholeNumber(url.searchParams.get('trace'), 'trace', 1);
  if (typeof traceId === 'string') return bad(traceId);
  const spanText = url.searchParams.get('span');
  const span = spanText === null ? null : wholeNumber(spanText, 'span', 0);
  if (typeof span === 'string') return bad(span);
  return { ok: true, target: { path, traceId, spanIndex: span } };
}

/** A link in a command line (a second launch, or the first with the link as its argument). */
export function linkFromArgv(argv: readonly string[]): string | null {
  return argv.find((a) => a.toLowerCase().startsWith(`${LINK_SCHEME}:`)) ?? null;
}

/** Checks a link; a good one is granted and pushed to the renderer, a bad one is reported there. */
export function openDeepLink(link: string, grants: PathGrants, emit: <E extends EventName>(name: E, payload: EventContract[E]) => void): boolean {
  const r = parseDeepLink(link);
  if (!r.ok) {
    emit('linkRefused', { link: link.slice(0, 300), message: `The link was not opened: ${r.message}`, hint: 'check the link; a link to a trace looks like misertrace://open?bundle=/path/to/capture.mstrace&trace=1&span=3' });
    return false;
  }
  grants.allow(r.target.path, 'open');
  emit('openRequested', { path: r.target.path, at: { traceId: r.target.traceId, spanIndex: r.target.spanIndex } });
  return true;
}
