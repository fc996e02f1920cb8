import { readFile } from 'node:fs/promises';
import ssh2, { type AnyAuthMethod, type AuthenticationType, type AuthHandlerMiddleware, type ParsedKey, type Prompt } from 'ssh2';
import type { RemotePrompts } from './remote-prompts.js';
import type { ResolvedTarget } from './ssh-target.js';

// The order OpenSSH tries (docs/adr/0065): the agent, then each identity file (asking for the
// passphrase of an encrypted one), then password, then keyboard-interactive, each offered only
// while the server still lists it. Secrets are asked through the caller's prompts, handed to
// ssh2 and dropped; a wrong password is asked again up to three times, as ssh does.

const MAX_PASSWORD_ATTEMPTS = 3;

export interface AuthState {
  /** Set when the person cancelled a prompt: the connection fails with "cancelled", not "refused". */
  cancelled: boolean;
  /** Methods tried, for the message when all fail. */
  tried: string[];
}

async function loadKey(path: string, t: ResolvedTarget, prompts: RemotePrompts, state: AuthState): Promise<ParsedKey | null> {
  const data = await readFile(path).catch(() => null);
  if (data === null) return null;
  let parsed = ssh2.utils.parseKey(data);
  for (let attempt = 1; parsed instanceof Error && /passphrase/i.test(parsed.message) && attempt <= MAX_PASSWORD_ATTEMPTS; attempt++) {
    const pass = await prompts.secret({ kind: 'passphrase', host: t.label, message: `passphrase for key ${path}`, echo: false, attempt });
    if (pass === null) {
      state.cancelled = true;
      return null;
    }
    parsed = ssh2.utils.parseKey(data, pass);
  }
  if (parsed instanceof Error) return null;
  return Array.isArray(parsed) ? ((parsed[0] as ParsedKey | undefined) ?? null) : parsed;
}

export function authHandler(t: ResolvedTarget, prompts: RemotePrompts, state: AuthState): AuthHandlerMiddleware {
  const steps: { method: AuthenticationType; run: () => Promise<AnyAuthMethod | null> }[] = [];
  const username = t.user;
  const agent = t.agent;
  if (agent) steps.push({ method: 'publickey', run: async () => ({ type: 'agent', username, agent }) });
  for (const file of t.identityFiles) {
    steps.push({ method: 'publickey', run: async () => {
      const key = await loadKey(file, t, prompts, state);
      return key ? { type: 'publickey', username, key } : null;
    } });
  }
  for (let attempt = 1; attempt <= MAX_PASSWORD_ATTEMPTS; attempt++) {
    steps.push({ method: 'password', run: async () => {
      const password = await prompts.secret({ kind: 'password', host: t.label, message: `password for ${username}@${t.hostname}`, echo: false, attempt });
      if (password === null) state.cancelled = true;
      return password === null ? null : { type: 'password', username, password };
    } });
  }
  let kbdAttempt = 0;
  for (let i = 0; i < MAX_PASSWORD_ATTEMPTS; i++) {
    steps.push({ method: 'keyboard-interactive', run: async () => ({
      type: 'keyboard-interactive',
      username,
      prompt: (_name: string, instructions: string, _lang: string, list: Prompt[], finish: (answers: string[]) => void) => {
        kbdAttempt++;
        void (async () => {
          const answers: string[] = [];
          for (const p of list) {
            // As OpenSSH shows it: whose login this is, then the server's own text (PAM's "Password:").
            const a = await prompts.secret({ kind: 'keyboard-interactive', host: t.label, message: `(${username}@${t.hostname}) ${instructions ? `${instructions.trim()} ` : ''}${p.prompt.trim()}`, echo: p.echo === true, attempt: kbdAttempt });
            if (a === null) {
              state.cancelled = true;
              answers.push('');
              break;
            }
            answers.push(a);
          }
          finish(answers);
        })();
      },
    }) });
  }
  let next = 0;
  return (methodsLeft, _partial, cb) => {
    // First "none": the server answers with the methods it accepts, so nothing is asked in vain.
    if (methodsLeft === null) {
      cb({ type: 'none', username });
      return;
    }
    void (async () => {
      while (next < steps.length && !state.cancelled) {
        const step = steps[next++]!;
        if (!methodsLeft.includes(step.method)) continue;
        const m = await step.run();
        if (m === null) continue;
        state.tried.push(m.type);
        cb(m);
        return;
      }
      (cb as unknown as (m: false) => void)(false);
    })();
  };
}
