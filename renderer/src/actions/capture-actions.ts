import type { CaptureEvent, CaptureStartRequest } from '../../../electron/ipc-capture-types.js';
import type { AppError } from '../../../electron/ipc-contract.js';
import { invoke, onEvent } from '../ipc/explorer-api.js';
import { useCapture } from '../stores/capture-store.js';
import { useNotices } from '../stores/notice-store.js';
import { openBundlePath } from './bundle-actions.js';
import { selectedHost } from '../capture/remote-hosts.js';

// The capture flow: discover, choose, start, watch, stop, and open the resulting bundle.

/** Ticked by default: the counts the seed figure prints (user page faults, task migrations). */
export const DEFAULT_OPTIONAL_PROBES: readonly string[] = ['page_fault_user', 'sched_migrate_task'];

export async function refreshNetworks(): Promise<void> {
  const st = useCapture.getState();
  st.setNetworks({ ...st.networks, loading: true, error: null });
  const r = await invoke('listNetworks', { host: selectedHost() });
  useCapture.getState().setNetworks(r.ok ? { value: r.value, loading: false, error: null } : { value: null, loading: false, error: r.error });
}

export async function selectNetwork(name: string): Promise<void> {
  const st = useCapture.getState();
  st.setNetwork(name);
  st.setInspection({ value: null, loading: true, error: null });
  const r = await invoke('inspectNetwork', { network: name, host: selectedHost() });
  if (useCapture.getState().network !== name) return; // another network was chosen meanwhile
  useCapture.getState().setInspection(r.ok ? { value: r.value, loading: false, error: null } : { value: null, loading: false, error: r.error });
}

export async function loadCatalog(): Promise<void> {
  const st = useCapture.getState();
  st.setCatalog({ ...st.catalog, loading: true, error: null });
  const r = await invoke('probeCatalog', { host: selectedHost() });
  const next = useCapture.getState();
  next.setCatalog(r.ok ? { value: r.value, loading: false, error: null } : { value: null, loading: false, error: r.error });
  if (r.ok) {
    // Prefer a backend that works here.
    const usable = r.value.backends.filter((b) => b.available).map((b) => b.backend);
    if (usable.length > 0 && !usable.includes(next.form.backend)) next.updateForm({ backend: usable[0]! });
    // Counts on the bars need an optional probe: tick the seed figure's two (page faults,
    // migrations) where the kernel offers them, until the user chooses otherwise.
    if (!next.form.probesTouched) {
      const defaults = r.value.optional.filter((p) => p.available && DEFAULT_OPTIONAL_PROBES.includes(p.id)).map((p) => p.id);
      useCapture.getState().updateForm({ optionalProbes: defaults });
    }
  }
}

export async function chooseOutput(): Promise<void> {
  const network = useCapture.getState().network ?? 'capture';
  const stamp = new Date().toISOString().replace(/[:T]/g, '-').slice(0, 19);
  const r = await invoke('pickCaptureOutput', { suggestedName: `${network}-${stamp}.mstrace` });
  if (!r.ok) useNotices.getState().pushError('Could not choose where to save', r.error);
  else if (r.value.picked) useCapture.getState().updateForm({ output: r.value.path });
}

export async function chooseCustomProbe(): Promise<void> {
  const r = await invoke('pickProbeFile', {});
  if (!r.ok) useNotices.getState().pushError('Could not choose a probe file', r.error);
  // Custom probes are bpftrace programs: the ftrace backend cannot run them.
  else if (r.value.picked) useCapture.getState().updateForm({ customProbePath: r.value.path, backend: 'bpftrace' });
}

function optionalInt(text: string, what: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t) || Number(t) < 1) throw new Error(`${what} must be a whole number above 0`);
  return Number(t);
}

export async function startCapture(): Promise<void> {
  const st = useCapture.getState();
  const { form, network } = st;
  if (network === null || form.output === null || st.starting) return;
  let req: CaptureStartRequest;
  try {
    req = {
      network,
      backend: form.backend,
      optionalProbes: form.optionalProbes,
      customProbePath: form.customProbePath,
      buffers: { rbPages: optionalInt(form.rbPages, 'Perf ring buffer pages'), ftraceBufferKb: optionalInt(form.ftraceBufferKb, 'ftrace buffer size') },
      output: form.output,
      durationSec: optionalInt(form.durationSec, 'Duration'),
      host: selectedHost(),
    };
  } catch (e) {
    st.setStarting(false, { kind: 'input', message: (e as Error).message, hint: 'leave the field empty for the default' });
    return;
  }
  st.setStarting(true, null);
  lastRequest = req;
  const r = await invoke('startCapture', req);
  if (!r.ok) {
    useCapture.getState().setStarting(false, r.error);
    return;
  }
  useCapture.getState().setStarting(false, null);
  // Events may have arrived before the answer: keep what they set if the session already exists.
  const cur = useCapture.getState().session;
  if (cur === null || cur.id !== r.value.sessionId) {
    useCapture.getState().setSession({ id: r.value.sessionId, phase: 'preparing', detail: null, figures: null, samples: [], progress: {}, log: [], prompt: null, finished: false, result: null, error: null });
  }
}

/** The request of the capture on screen: Resume sends it again, naming the session. */
let lastRequest: CaptureStartRequest | null = null;

/** After a dropped connection: the capture goes on into the same bundle (a new segment, the gap in its manifest). */
export async function resumeCapture(): Promise<void> {
  const s = useCapture.getState().session;
  if (s === null || !s.lost || s.resuming || lastRequest === null) return;
  useCapture.getState().updateSession(s.id, () => ({ resuming: true }));
  const r = await invoke('startCapture', { ...lastRequest, resume: s.id });
  if (!r.ok) {
    // The offer stays: try again, or finish.
    useCapture.getState().updateSession(s.id, () => ({ resuming: false }));
    useNotices.getState().pushError('Could not resume the capture', r.error);
    return;
  }
  useCapture.getState().updateSession(s.id, () => ({ resuming: false, lost: null, phase: 'preparing', progress: {}, figures: null, samples: [] }));
}

/** After a dropped connection: keep the partial bundle as it is, and open it. */
export async function finishCapture(): Promise<void> {
  const s = useCapture.getState().session;
  if (s === null || !s.lost) return;
  const r = await invoke('stopCapture', { sessionId: s.id });
  if (!r.ok) useNotices.getState().pushError('Could not finish the capture', r.error);
}

async function sessionVerb(verb: 'stopCapture' | 'cancelCapture', title: string): Promise<void> {
  const s = useCapture.getState().session;
  if (s === null || s.finished) return;
  const r = await invoke(verb, { sessionId: s.id });
  if (!r.ok) useNotices.getState().pushError(title, r.error);
}

export const stopCapture = () => sessionVerb('stopCapture', 'Could not stop the capture');
export const cancelCapture = () => sessionVerb('cancelCapture', 'Could not cancel');

export async function answerPrompt(password: string | null): Promise<void> {
  const s = useCapture.getState().session;
  if (s === null || s.prompt === null) return;
  const { promptId } = s.prompt;
  useCapture.getState().updateSession(s.id, () => ({ prompt: null }));
  const r = await invoke('answerPrivilegePrompt', { sessionId: s.id, promptId, password });
  if (!r.ok) useNotices.getState().pushError('Could not pass the password on', r.error);
}

export function resetSession(): void {
  useCapture.getState().setSession(null);
}

const MAX_LOG = 60;
/** Figures kept for the live rate: a few seconds of them at the session's tick. */
const RATE_SAMPLES = 8;

function failed(id: string, error: AppError): void {
  useCapture.getState().updateSession(id, () => ({ phase: 'failed', error, finished: true, prompt: null }));
}

export function applyCaptureEvent(e: CaptureEvent): void {
  const st = useCapture.getState();
  if (st.session === null || st.session.id !== e.sessionId) {
    // The first event can beat startCapture's answer.
    st.setSession({ id: e.sessionId, phase: 'preparing', detail: null, figures: null, samples: [], progress: {}, log: [], prompt: null, finished: false, result: null, error: null });
  }
  const update = useCapture.getState().updateSession;
  switch (e.type) {
    case 'phase':
      return update(e.sessionId, () => ({ phase: e.phase, detail: e.detail, finished: e.phase === 'done' || e.phase === 'failed' || e.phase === 'cancelled' }));
    case 'figures':
      return update(e.sessionId, (s) => ({ figures: e.figures, samples: [...s.samples, { t: e.figures.elapsedMs, n: e.figures.records }].slice(-RATE_SAMPLES) }));
    case 'progress':
      return update(e.sessionId, (s) => ({ progress: { ...s.progress, [e.stage]: e.fraction } }));
    case 'log':
      return update(e.sessionId, (s) => ({ log: [...s.log, { level: e.level, text: e.text }].slice(-MAX_LOG) }));
    case 'privilege-prompt':
      return update(e.sessionId, () => ({ phase: 'awaiting-password', prompt: { promptId: e.promptId, tool: e.tool, message: e.message } }));
    case 'failed':
      return failed(e.sessionId, e.error);
    case 'connection-lost':
      return update(e.sessionId, () => ({ lost: { host: e.host, reason: e.reason, bundlePath: e.bundlePath }, resuming: false, prompt: null }));
    case 'done':
      update(e.sessionId, () => ({ phase: 'done', finished: true, lost: null, result: { bundlePath: e.bundlePath, partial: e.partial, partialReason: e.partialReason, lostEvents: e.lostEvents } }));
      void openBundlePath(e.bundlePath);
      return;
  }
}

export function subscribeCaptureEvents(): () => void {
  return onEvent('capture', applyCaptureEvent);
}
