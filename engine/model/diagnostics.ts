// Where the original tool aborts on an inconsistency we record what happened and go on.
// Counts are exact for every kind; examples are capped so memory does not grow with the input.
// Some kinds are bad input rather than findings: stopOn makes them stop the run with the line
// (commands do so unless --lenient, which skips and counts them).

import { InputError } from './meta.js';

export type DiagnosticKind =
  | 'malformed-line'
  | 'duplicate-tid'
  | 'fork-parent-not-live'
  | 'response-socket-missing'
  | 'requester-missing'
  | 'multiple-active-roots'
  | 'implicit-recv-start'
  | 'bad-details'
  | 'unsorted-record'
  | 'lost-events'
  // The causal model's:
  | 'orphan-request'
  | 'pipelined-connection'
  | 'old-connection'
  | 'shared-connection'
  | 'impossible-connection'
  | 'guessed-role';

export interface Diagnostic {
  kind: DiagnosticKind;
  /** 1-based line of the record in the input, 0 when not tied to a line. */
  line: number;
  tid: number;
  message: string;
}

export const DIAGNOSTIC_EXPLANATION: Record<DiagnosticKind, string> = {
  'malformed-line': 'a line that is not a record (cut or interleaved by bpftrace under load), skipped',
  'duplicate-tid': 'a fork created a tid that was already live; the old thread was replaced',
  'fork-parent-not-live': 'a fork whose parent is not a traced thread; ignored',
  'response-socket-missing': 'a response was sent on a socket the model never saw a request on; skipped',
  'requester-missing': 'a response whose requesting thread is unknown; skipped',
  'multiple-active-roots': 'a thread serves more than one request from outside at once',
  'implicit-recv-start': 'data arrived before any receive syscall was seen; the span starts at the first record of the capture',
  'bad-details': 'a model record whose details lack the fields the model needs; skipped',
  'unsorted-record': 'a record earlier than the one before it (input not sorted); skipped',
  'lost-events': 'the capture reported lost events (its kernel buffers were full): spans may be incomplete',
  'orphan-request': 'a request whose parent no rule could decide; it starts a trace of its own, marked inferred',
  'pipelined-connection': 'a connection carried a request before the reply to the one before it: requests matched by byte offset (in order, marked inferred, when the records give no sizes)',
  'old-connection': 'a connection already in the middle of an exchange when the capture began (a reply without its request); that exchange is left out',
  'shared-connection': 'one side of a connection used by two threads at once; the spans linked over it are marked inferred',
  'impossible-connection': "a record whose 4-tuple cannot be its thread's (its container IP is neither end, or data on it before its connect); skipped or marked inferred",
  'guessed-role': 'client and server of a connection told apart by who sent first (no connect, no gateway or ephemeral port seen): inferred',
};

export class Diagnostics {
  readonly counts = new Map<DiagnosticKind, number>();
  readonly examples: Diagnostic[] = [];

  private readonly stopKinds = new Set<DiagnosticKind>();
  private stopSource = '';

  constructor(private readonly maxExamplesPerKind = 50) {}

  /** Records of these kinds become input errors naming `source` and the line, instead of being skipped. */
  stopOn(kinds: readonly DiagnosticKind[], source: string): this {
    for (const k of kinds) this.stopKinds.add(k);
    this.stopSource = source;
    return this;
  }

  add(kind: DiagnosticKind, line: number, tid: number, message: string): void {
    if (this.stopKinds.has(kind)) {
      throw new InputError(
        `${this.stopSource}:${line}: ${message} (${DIAGNOSTIC_EXPLANATION[kind].replace(/; skipped$/, '')}); --lenient skips such records and counts them`,
        'fix the record, or re-run with --lenient',
      );
    }
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= this.maxExamplesPerKind) this.examples.push({ kind, line, tid, message });
  }

  count(kind: DiagnosticKind): number {
    return this.counts.get(kind) ?? 0;
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  summary(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort((a, b) => a[0].localeCompare(b[0])));
  }
}
