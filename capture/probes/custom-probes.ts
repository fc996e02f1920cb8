import { InputError } from '../../engine/model/meta.js';

// User probes in the original tool's custom-probe format (its -i INPUTBT; see
// probes/custom-probe-template.bt): bpftrace probe blocks `ATTACH[, ATTACH] [/predicate/] { body }`,
// plus preprocessor lines (#include, #define). We split the text into blocks without evaluating
// it, so the capture can check every attach point against the kernel before it starts, refuse
// what would clash with the base script, and warn about probes that trace the whole host.

export interface CustomProbe {
  attachPoints: string[];
  predicate: string | null;
  body: string;
  /** The block as written. */
  text: string;
  /** 1-based line of the block's first attach point. */
  line: number;
}

export interface CustomProbeFile {
  source: string;
  preamble: string[];
  probes: CustomProbe[];
  warnings: string[];
}

export class CustomProbeError extends InputError {
  constructor(source: string, line: number, message: string, hint?: string) {
    super(`${source}:${line}: ${message}`, hint ?? 'see probes/custom-probe-template.bt for the format');
    this.name = 'CustomProbeError';
  }
}

/** Index just past a string literal or comment starting at i, or i when there is none. */
function skipLiteral(t: string, i: number): number {
  if (t[i] === '"') {
    let j = i + 1;
    while (j < t.length && t[j] !== '"') j += t[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (t.startsWith('//', i)) {
    const nl = t.indexOf('\n', i);
    return nl < 0 ? t.length : nl;
  }
  if (t.startsWith('/*', i)) {
    const e = t.indexOf('*/', i + 2);
    return e < 0 ? t.length : e + 2;
  }
  return i;
}

function lineAt(t: string, i: number): number {
  let n = 1;
  for (let k = 0; k < i; k++) if (t.charCodeAt(k) === 10) n++;
  return n;
}

export function parseCustomProbes(text: string, source = 'custom probes'): CustomProbeFile {
  if (/\bCUSTOM_EVENT\b/.test(text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''))) {
    throw new CustomProbeError(source, lineAt(text, text.indexOf('CUSTOM_EVENT')), 'CUSTOM_EVENT is still a placeholder', 'replace CUSTOM_EVENT by an attach point such as tracepoint:sched:sched_migrate_task');
  }
  const probes: CustomProbe[] = [];
  const preamble: string[] = [];
  const warnings: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const skipped = skipLiteral(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      preamble.push(text.slice(i, nl < 0 ? text.length : nl));
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    const start = i;
    // Attach points run up to a predicate (`/` not starting a comment) or the body.
    while (i < text.length && text[i] !== '{' && !(text[i] === '/' && text[i + 1] !== '/' && text[i + 1] !== '*')) {
      const s = skipLiteral(text, i);
      i = s !== i ? s : i + 1;
    }
    const head = text.slice(start, i).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
    const attachPoints = head.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (attachPoints.length === 0) throw new CustomProbeError(source, lineAt(text, start), 'a probe block without an attach point');
    let predicate: string | null = null;
    if (text[i] === '/') {
      const p0 = i + 1;
      let p = p0;
      // The predicate ends at the `/` followed (after blanks) by the body's `{`.
      while (p < text.length && !(text[p] === '/' && /^\/\s*\{/.test(text.slice(p, p + 200)))) {
        const s = skipLiteral(text, p);
        p = s !== p ? s : p + 1;
      }
      if (p >= text.length) throw new CustomProbeError(source, lineAt(text, i), 'a predicate /.../ that is not closed before the probe body');
      predicate = text.slice(p0, p).trim();
      i = p + 1;
      while (i < text.length && /\s/.test(text[i]!)) i++;
    }
    // Never the file's own text in a message (a file that is not a probe file could be anything).
    if (text[i] !== '{') throw new CustomProbeError(source, lineAt(text, i), 'expected "{" after the attach points (a probe is: ATTACH[, ATTACH] [/PREDICATE/] { ... })');
    const b0 = i;
    let depth = 0;
    for (; i < text.length; ) {
      const s = skipLiteral(text, i);
      if (s !== i) {
        i = s;
        continue;
      }
      if (text[i] === '{') depth++;
      else if (text[i] === '}') {
        depth--;
        if (depth === 0) break;
      }
      i++;
    }
    if (depth !== 0) throw new CustomProbeError(source, lineAt(text, b0), 'the probe body is not closed with "}"');
    const body = text.slice(b0 + 1, i);
    i++;
    const line = lineAt(text, start);
    for (const ap of attachPoints) {
      if (/^(BEGIN|END)$/.test(ap)) {
        throw new CustomProbeError(source, line, `${ap} blocks are the capture script's own`, 'move the code into a probe, or initialise maps lazily');
      }
    }
    // Writing or clearing the record maps would corrupt or lose the capture's records (docs/adr/0026).
    if (/@mt_\w/.test(`${predicate ?? ''}${body}`)) {
      throw new CustomProbeError(source, line, 'maps named @mt_... are the capture script\'s record maps', 'give your map another name');
    }
    const probe = { attachPoints, predicate, body, text: text.slice(start, i), line };
    if (predicate === null || !/@pids\s*\[/.test(predicate)) {
      warnings.push(`${source}:${line}: ${attachPoints.join(', ')} has no @pids[...] predicate: it records events of every process on the host`);
    }
    const printfs = body.match(/\bprintf\s*\(/g)?.length ?? 0;
    if (printfs > 1) warnings.push(`${source}:${line}: ${printfs} printf calls in one probe; their lines may be separated under load (use one printf)`);
    probes.push(probe);
  }
  return { source, preamble, probes, warnings };
}

/** `group:event` of a tracepoint attach point (`tracepoint:g:e` or `t:g:e`), else null. */
export function tracepointOf(attachPoint: string): string | null {
  const m = /^(?:tracepoint|t):([^:]+):(.+)$/.exec(attachPoint);
  return m ? `${m[1]}:${m[2]}` : null;
}

export function isKprobe(attachPoint: string): boolean {
  return /^(kprobe|kretprobe|k|kr):/.test(attachPoint);
}
