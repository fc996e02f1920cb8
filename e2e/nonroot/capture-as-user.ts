// Run by nonroot-capture.test.ts as a throwaway unprivileged user (runuser): captures the demo
// app's network through sudo, the password typed through our prompt callback, with the session
// (what the CLI uses) or with the app's capture services (what the renderer drives), sends a
// known workload meanwhile and prints what happened as one JSON line.
import { readFileSync } from 'node:fs';
import { CaptureSessions } from '../../electron/app-services/capture-sessions.js';
import type { CaptureEvent } from '../../electron/ipc-capture-types.js';
import { CaptureSession } from '../../capture/session/capture-session.js';
import { planRequests } from '../demo-app/endpoints.js';
import { sendRequests, type SentRequest } from '../demo-app/load-generator.js';

export interface RunRequest {
  via: 'session' | 'app';
  backend: 'ftrace' | 'bpftrace';
  network: string;
  url: string;
  output: string;
  password: string;
}

export interface RunReport {
  ok: boolean;
  error: string | null;
  sent: SentRequest[];
  partial: boolean | null;
  logs: string[];
  uid: number;
}

const req = JSON.parse(readFileSync(0, 'utf8')) as RunRequest;
const logs: string[] = [];
let sent: SentRequest[] = [];

async function viaSession(): Promise<boolean> {
  const session = new CaptureSession({
    network: req.network,
    output: req.output,
    backend: req.backend,
    elevation: 'sudo',
    askPassword: async () => req.password,
    drain: { quietMs: 300, maxMs: 10_000 },
    hostLimits: false,
  });
  session.onLog.on((l) => logs.push(`${l.level}: ${l.text}`));
  try {
    await session.start();
    sent = await sendRequests(req.url, planRequests(1), 1);
    const r = await session.stop();
    return r.partial;
  } finally {
    session.dispose();
  }
}

async function viaApp(): Promise<boolean> {
  const sessions = new CaptureSessions({ elevation: 'sudo' });
  let resolveEnd!: (e: CaptureEvent) => void;
  const ended = new Promise<CaptureEvent>((r) => (resolveEnd = r));
  let resolveCapturing!: () => void;
  const capturing = new Promise<void>((r) => (resolveCapturing = r));
  let id = '';
  const { sessionId } = await sessions.start(
    { network: req.network, backend: req.backend, optionalProbes: [], customProbePath: null, buffers: { rbPages: null, ftraceBufferKb: null }, output: req.output, durationSec: null },
    (e) => {
      if (e.type === 'privilege-prompt') void sessions.answerPrompt(id || e.sessionId, e.promptId, req.password);
      if (e.type === 'phase' && e.phase === 'capturing') resolveCapturing();
      if (e.type === 'log') logs.push(`${e.level}: ${e.text}`);
      if (e.type === 'done' || e.type === 'failed') {
        resolveCapturing();
        resolveEnd(e);
      }
    },
  );
  id = sessionId;
  await capturing;
  sent = await sendRequests(req.url, planRequests(1), 1);
  await sessions.stop(sessionId);
  const end = await ended;
  await sessions.dispose();
  if (end.type === 'failed') throw new Error(`${end.error.message} (${end.error.hint ?? ''})`);
  return end.type === 'done' ? end.partial : true;
}

const report: RunReport = { ok: false, error: null, sent: [], partial: null, logs, uid: process.getuid!() };
try {
  report.partial = await (req.via === 'app' ? viaApp() : viaSession());
  report.ok = true;
} catch (e) {
  report.error = e instanceof Error ? e.message : String(e);
}
report.sent = sent;
process.stdout.write(`${JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
process.exit(0);
