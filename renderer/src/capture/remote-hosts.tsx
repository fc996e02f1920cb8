import { useEffect, useRef, useState } from 'react';
import { create } from 'zustand';
import type { HostPrompt, SavedHost } from '../../../electron/ipc-capture-types.js';
import { invoke, onEvent } from '../ipc/explorer-api.js';
import { useNotices } from '../stores/notice-store.js';

// Where to capture (docs/adr/0065): "This computer" or a saved remote host (user@server[:port]
// or an ~/.ssh/config alias, saved without any secret), and the dialog for what a host asks:
// a password, a key's passphrase, the sudo password, or trusting a host key seen for the first
// time (its SHA256 fingerprint shown). An answer lives in this dialog's state until it is sent.

interface HostsState {
  hosts: SavedHost[];
  /** null: this computer. */
  selected: string | null;
  prompts: HostPrompt[];
  set(p: Partial<Pick<HostsState, 'hosts' | 'selected' | 'prompts'>>): void;
}

export const useHosts = create<HostsState>()((set) => ({ hosts: [], selected: null, prompts: [], set: (p) => set(p) }));

/** The host the capture screen works on: null for this computer. */
export const selectedHost = (): string | null => useHosts.getState().selected;

export async function loadHosts(): Promise<void> {
  const r = await invoke('listHosts', {});
  if (r.ok) useHosts.getState().set({ hosts: r.value });
}

async function saveHosts(hosts: SavedHost[]): Promise<boolean> {
  const r = await invoke('saveHosts', { hosts });
  if (!r.ok) {
    useNotices.getState().pushError('Could not save the hosts', r.error);
    return false;
  }
  useHosts.getState().set({ hosts: r.value });
  return true;
}

export function HostPicker({ onChange }: { onChange: () => void }) {
  const { hosts, selected } = useHosts();
  const [draft, setDraft] = useState<string | null>(null);
  /** The saved host being edited (replaced on save), or null when adding one. */
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => void loadHosts(), []);
  const choose = (target: string | null) => {
    useHosts.getState().set({ selected: target });
    onChange();
  };
  const add = async () => {
    const t = (draft ?? '').trim();
    if (t === '') return;
    const others = hosts.filter((h) => h.target !== editing);
    if (await saveHosts([...others, { target: t }])) {
      setDraft(null);
      choose(t);
    }
  };
  return (
    <section className="panel" aria-label="Host">
      <div className="panel-head">
        <h2>Where</h2>
        <div className="row-gap">
          <select aria-label="Host" value={selected ?? ''} onChange={(e) => choose(e.target.value === '' ? null : e.target.value)}>
            <option value="">This computer</option>
            {hosts.map((h) => (
              <option key={h.target} value={h.target}>
                {h.target} (SSH)
              </option>
            ))}
          </select>
          <button type="button" onClick={() => (setDraft(''), setEditing(null))}>
            Add host…
          </button>
          {selected !== null && (
            <>
              <button type="button" onClick={() => (setDraft(selected), setEditing(selected))}>
                Edit
              </button>
              <button
                type="button"
                onClick={() => void saveHosts(hosts.filter((h) => h.target !== selected)).then((ok) => ok && choose(null))}
              >
                Remove
              </button>
            </>
          )}
        </div>
      </div>
      {draft !== null && (
        <form
          className="row-gap"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <input aria-label="Host address" placeholder="user@server[:port] or an ~/.ssh/config alias" value={draft} onChange={(e) => setDraft(e.target.value)} autoFocus />
          <button type="submit" className="primary" disabled={draft.trim() === ''}>
            Save
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </form>
      )}
      {selected !== null && <p className="muted">Discovery and capture run on {selected} over one SSH connection; the bundle is built here. Passwords are asked here and never stored.</p>}
    </section>
  );
}

const TITLE: Record<HostPrompt['kind'], string> = {
  password: 'SSH password',
  passphrase: 'Key passphrase',
  'keyboard-interactive': 'The server asks',
  sudo: 'Tracing needs root rights there',
  'host-key': 'Unknown host key',
};

export function HostPromptDialog() {
  const prompts = useHosts((s) => s.prompts);
  const prompt = prompts[0] ?? null;
  const [answer, setAnswer] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => onEvent('hostPrompt', (p) => useHosts.getState().set({ prompts: [...useHosts.getState().prompts, p] })), []);
  useEffect(() => {
    setAnswer('');
    if (prompt !== null) input.current?.focus();
  }, [prompt]);
  if (prompt === null) return null;
  const send = (value: string | null) => {
    setAnswer('');
    useHosts.getState().set({ prompts: useHosts.getState().prompts.slice(1) });
    void invoke('answerHostPrompt', { promptId: prompt.promptId, answer: value }).then((r) => {
      if (!r.ok) useNotices.getState().pushError('Could not pass the answer on', r.error);
    });
  };
  const hostKey = prompt.kind === 'host-key';
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={TITLE[prompt.kind]}
        onSubmit={(e) => {
          e.preventDefault();
          send(hostKey ? 'yes' : answer);
        }}
      >
        <h2>{TITLE[prompt.kind]}</h2>
        <p>{prompt.message}</p>
        {hostKey ? (
          <p>
            Fingerprint: <code>{prompt.fingerprint}</code>
          </p>
        ) : (
          <>
            <p className="muted">It goes to {prompt.host} only and is never stored or logged.</p>
            <input ref={input} type={prompt.echo ? 'text' : 'password'} autoComplete="off" aria-label="Answer" value={answer} onChange={(e) => setAnswer(e.target.value)} />
          </>
        )}
        <div className="row-gap modal-buttons">
          <button type="button" onClick={() => send(null)}>
            {hostKey ? 'Do not connect' : 'Cancel'}
          </button>
          <button type="submit" className="primary" disabled={!hostKey && answer === ''}>
            {hostKey ? 'Trust and connect' : 'Send'}
          </button>
        </div>
      </form>
    </div>
  );
}
