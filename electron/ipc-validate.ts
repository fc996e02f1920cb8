// Main-side checks of every IPC message: who sent it (sender), which channel, and the payload's
// exact shape. A renderer is treated as untrusted input: unknown keys, wrong types, oversized
// strings and out-of-range numbers are refused before any service sees them.

import { CAPTURE_BACKENDS, type CaptureStartRequest } from './ipc-capture-types.js';
import { EXPORT_FORMATS, FIGURE_PALETTES, INVOKE_VERBS, type AppError, type ExportRequest, type InvokeVerb, type RequestOf } from './ipc-contract.js';

export type Check<T> = (v: unknown, at: string) => T;

export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

const fail = (at: string, what: string): never => {
  throw new PayloadError(`${at}: ${what}`);
};

export const str =
  (max = 4096, opts: { nonEmpty?: boolean; pattern?: RegExp } = {}): Check<string> =>
  (v, at) => {
    if (typeof v !== 'string') return fail(at, 'expected a string');
    if (v.length > max) return fail(at, `longer than ${max} characters`);
    if (opts.nonEmpty && v.length === 0) return fail(at, 'must not be empty');
    if (opts.pattern && !opts.pattern.test(v)) return fail(at, 'has an unexpected form');
    return v;
  };

export const int =
  (min: number, max: number): Check<number> =>
  (v, at) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(at, 'expected an integer');
    if (v < min || v > max) return fail(at, `outside ${min}..${max}`);
    return v;
  };

export const bool: Check<boolean> = (v, at) => (typeof v === 'boolean' ? v : fail(at, 'expected a boolean'));

export const oneOf =
  <const T extends string>(values: readonly T[]): Check<T> =>
  (v, at) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fail(at, `expected one of ${values.join(', ')}`);

export const nullable =
  <T>(c: Check<T>): Check<T | null> =>
  (v, at) =>
    v === null ? null : c(v, at);

export const list =
  <T>(item: Check<T>, max: number): Check<T[]> =>
  (v, at) => {
    if (!Array.isArray(v)) return fail(at, 'expected a list');
    if (v.length > max) return fail(at, `more than ${max} items`);
    return v.map((x, i) => item(x, `${at}[${i}]`));
  };

type Shape<T> = { [K in keyof T]-?: Check<T[K]> };

/** An object with exactly these keys (extra keys are refused: they hint at a confused caller). */
export const obj =
  <T>(shape: Shape<T>): Check<T> =>
  (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(at, 'expected an object');
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!(k in shape)) fail(at, `unexpected key "${k}"`);
    const out = {} as T;
    for (const k of Object.keys(shape) as (keyof T & string)[]) out[k] = shape[k](rec[k], `${at}.${k}`);
    return out;
  };

const empty = obj<Record<string, never>>({});
const MAX_ID = 2 ** 31 - 1;
const bundleId = str(64, { nonEmpty: true, pattern: /^b[0-9]+$/ });
const sessionId = str(64, { nonEmpty: true, pattern: /^[A-Za-z0-9_-]+$/ });
/** Absolute paths only: a relative path would resolve against main's working directory. */
const absPath = str(4096, { nonEmpty: true, pattern: /^(\/|[A-Za-z]:[\\/]|\\\\)/ });
const traceId = int(1, MAX_ID);

/** A length as `misertrace export --width/--font-size` takes it (the engine checks its range). */
const lengthText = str(32, { nonEmpty: true, pattern: /^\d+(\.\d+)?(px|in|cm|mm|pt)?$/ });

const figureChoices = obj<ExportRequest['figure']>({
  counts: list(str(256), 64),
  collapsed: list(int(0, MAX_ID), 1_000_000),
  window: nullable(obj({ start: int(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), end: int(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) })),
  palette: oneOf(FIGURE_PALETTES),
  title: nullable(str(300)),
  caption: nullable(str(2000)),
  width: nullable(lengthText),
  fontSize: nullable(lengthText),
  // Container names and display names travel as --rename a=A,b=B: no ',' or '=' in them.
  renames: list(obj({ container: str(256, { nonEmpty: true, pattern: /^[^,=]+$/ }), name: str(256, { pattern: /^[^,=]*$/ }) }), 1000),
  labelFields: nullable(list(oneOf(['tid', 'container', 'ip', 'kind', 'start', 'duration', 'counts'] as const), 7)),
});

const exportRequest = obj<ExportRequest>({
  bundleId,
  traceIds: list(traceId, 10_000),
  format: oneOf(EXPORT_FORMATS),
  figure: figureChoices,
});

/** user@server[:port] or an ssh alias (parseHostSpec checks it for real when connecting). */
const hostTarget = str(300, { nonEmpty: true, pattern: /^[A-Za-z0-9_.@:[\]%+-]+$/ });
/** Absent or null: this computer. */
const optionalHost: Check<string | null | undefined> = (v, at) => (v === undefined || v === null ? v : hostTarget(v, at));

const captureStart = obj<CaptureStartRequest>({
  host: optionalHost,
  /** Absent or null: a new capture; else the session id of one whose connection dropped. */
  resume: (v, at) => (v === undefined || v === null ? v : sessionId(v, at)),
  network: str(256, { nonEmpty: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/ }),
  backend: oneOf(CAPTURE_BACKENDS),
  optionalProbes: list(str(128, { pattern: /^[A-Za-z0-9_:.-]+$/ }), 64),
  customProbePath: nullable(absPath),
  buffers: obj({ rbPages: nullable(int(1, 1 << 20)), ftraceBufferKb: nullable(int(1, 1 << 22)) }),
  output: absPath,
  durationSec: nullable(int(1, 7 * 24 * 3600)),
});

export const REQUEST_CHECKS: { [V in InvokeVerb]: Check<RequestOf<V>> } = {
  getStartup: empty,
  pickBundle: empty,
  openBundle: obj({ path: absPath }),
  closeBundle: obj({ bundleId }),
  traceTable: obj({ bundleId }),
  traceDetail: obj({ bundleId, traceId }),
  bundleStats: obj({ bundleId }),
  spanRecords: obj({ bundleId, traceId, spanIndex: int(0, MAX_ID), offset: int(0, Number.MAX_SAFE_INTEGER), limit: int(1, 5000) }),
  exportTrace: exportRequest,
  previewFigure: obj({ bundleId, traceIds: list(traceId, 10_000), figure: figureChoices }),
  listRecent: empty,
  forgetRecent: obj({ path: str(4096, { nonEmpty: true }) }),
  listNetworks: obj({ host: optionalHost }),
  inspectNetwork: obj({ network: str(256, { nonEmpty: true }), host: optionalHost }),
  probeCatalog: obj({ host: optionalHost }),
  pickProbeFile: empty,
  pickCaptureOutput: obj({ suggestedName: str(255, { nonEmpty: true, pattern: /^[^/\\]+$/ }) }),
  startCapture: captureStart,
  stopCapture: obj({ sessionId }),
  cancelCapture: obj({ sessionId }),
  answerPrivilegePrompt: obj({ sessionId, promptId: str(64, { nonEmpty: true }), password: nullable(str(1024)) }),
  listHosts: empty,
  saveHosts: obj({ hosts: list(obj({ target: hostTarget }), 100) }),
  answerHostPrompt: obj({ promptId: str(64, { nonEmpty: true, pattern: /^[0-9a-f]+$/ }), answer: nullable(str(1024)) }),
};

export function isInvokeVerb(v: unknown): v is InvokeVerb {
  return typeof v === 'string' && (INVOKE_VERBS as readonly string[]).includes(v);
}

/** Parses a payload for a verb, or returns the AppError to send back. */
export function validateRequest<V extends InvokeVerb>(verb: V, payload: unknown): { ok: true; value: RequestOf<V> } | { ok: false; error: AppError } {
  try {
    return { ok: true, value: REQUEST_CHECKS[verb](payload, verb) as RequestOf<V> };
  } catch (e) {
    if (e instanceof PayloadError) return { ok: false, error: { kind: 'invalid-request', message: `refused a malformed request: ${e.message}` } };
    throw e;
  }
}

/**
 * The sender must be our own page: the packaged file:// index, or the dev server's origin.
 * Anything else (a navigated-away frame, an injected iframe) is refused.
 */
export function isTrustedSenderUrl(url: string, trusted: { fileIndex: string | null; devOrigin: string | null }): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false; // not a URL at all: certainly not our page
  }
  if (u.protocol === 'file:' && trusted.fileIndex !== null) return decodeURIComponent(u.pathname) === trusted.fileIndex;
  if (trusted.devOrigin !== null) return u.origin === trusted.devOrigin;
  return false;
}
