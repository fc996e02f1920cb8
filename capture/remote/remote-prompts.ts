// What a remote host asks of the person at the keyboard: secrets (a login password, a key's
// passphrase, keyboard-interactive answers, the sudo password) and the decision on a host key
// seen for the first time. The CLI answers on its terminal, the app in its own dialog. Answers
// are used once and never stored.

export interface SecretRequest {
  kind: 'password' | 'passphrase' | 'keyboard-interactive' | 'sudo';
  /** The host as the user named it (user@server[:port]). */
  host: string;
  /** What to show: whose password, which key file, the server's own prompt text. */
  message: string;
  /** Keyboard-interactive prompts may be plain questions (echo on). */
  echo: boolean;
  /** 1 for the first prompt, 2 after a wrong answer, ... */
  attempt: number;
}

export interface HostKeyRequest {
  host: string;
  /** The name known_hosts will hold: `server` or `[server]:port`. */
  entryName: string;
  keyType: string;
  /** SHA256:... as OpenSSH shows it. */
  fingerprint: string;
  /** Where the key is added when accepted. */
  knownHostsFile: string;
}

export interface RemotePrompts {
  /** Returns the answer, or null to cancel. */
  secret(req: SecretRequest): Promise<string | null>;
  /** true: trust the key (and add it to known_hosts); false: refuse to connect. */
  confirmHostKey(req: HostKeyRequest): Promise<boolean>;
}

/** For callers that cannot ask anyone (CI, a pipe): every secret is cancelled, no new host key is trusted. */
export const NO_PROMPTS: RemotePrompts = {
  secret: async () => null,
  confirmHostKey: async () => false,
};
