import { CaptureError } from './capture-errors.js';

// How the capture child gets its privileges (docs/adr/0020): directly when this process already
// has them (root), else through sudo or pkexec in a pty, with the password asked through OUR
// prompt callback and written to the pty only: never stored, never logged. Arguments always
// travel as an argv array; environment variables for the child travel as `env K=V` arguments,
// because sudo and pkexec reset the environment.

export type ElevationMethod = 'direct' | 'sudo' | 'pkexec';

export interface PasswordRequest {
  method: Exclude<ElevationMethod, 'direct'>;
  /** 1 for the first prompt, 2 after a wrong password, ... */
  attempt: number;
  /** What the prompt is for, to show the user. */
  message: string;
}

/** Returns the password, or null to cancel. */
export type PasswordPrompt = (req: PasswordRequest) => Promise<string | null>;

export interface ElevationInput {
  /** Absolute path of the program, then its arguments. */
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  method?: ElevationMethod | 'auto';
  uid: number;
  sudo: string | null;
  pkexec: string | null;
  /** Absolute path of `env` (for sudo/pkexec). */
  envProgram?: string;
}

export interface ElevationPlan {
  method: ElevationMethod;
  file: string;
  args: string[];
  /** Environment of the spawned process itself (only meaningful for 'direct'). */
  env: Record<string, string>;
  /** A prompt we recognise in the pty output. */
  prompt: RegExp | null;
}

/** The prompt sudo prints for us (`sudo -p`): unlikely to appear in any other output. */
export const SUDO_PROMPT = '[misertrace] sudo password for %p: ';
const SUDO_PROMPT_RE = /\[misertrace\] sudo password for [^:\r\n]*: $/;
const PKEXEC_PROMPT_RE = /Password: ?$/;

export function chooseElevation(inp: Pick<ElevationInput, 'method' | 'uid' | 'sudo' | 'pkexec'>): ElevationMethod {
  const m = inp.method ?? 'auto';
  if (m !== 'auto') {
    if (m === 'sudo' && !inp.sudo) throw new CaptureError('not-privileged', 'sudo is not installed', 'install sudo, or run the capture as root');
    if (m === 'pkexec' && !inp.pkexec) throw new CaptureError('not-privileged', 'pkexec is not installed', 'install policykit-1 (pkexec), or use sudo');
    return m;
  }
  if (inp.uid === 0) return 'direct';
  if (inp.sudo) return 'sudo';
  if (inp.pkexec) return 'pkexec';
  throw new CaptureError(
    'not-privileged',
    'capturing kernel events needs root, and neither sudo nor pkexec is installed',
    'run the capture as root, or install sudo (apt-get install sudo) and allow your user to use it',
  );
}

export function planElevation(inp: ElevationInput): ElevationPlan {
  const method = chooseElevation(inp);
  const [file, ...args] = inp.argv;
  if (!file || !file.startsWith('/')) throw new Error(`the capture child needs an absolute program path, got "${file ?? ''}"`);
  const envArgs = Object.entries(inp.env).map(([k, v]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`bad environment variable name ${k}`);
    return `${k}=${v}`;
  });
  // Without variables the program is named directly, so that a sudoers line or a polkit action can
  // name exactly it (the ftrace helper); `env` would be a rule for any program.
  const prefix = envArgs.length > 0 ? [inp.envProgram ?? '/usr/bin/env', ...envArgs] : [];
  switch (method) {
    case 'direct':
      return { method, file, args, env: { ...inp.env }, prompt: null };
    case 'sudo':
      // -p: our own prompt text, so we recognise it whatever the locale; `--` ends sudo's options.
      return { method, file: inp.sudo!, args: ['-p', SUDO_PROMPT, '--', ...prefix, file, ...args], env: {}, prompt: SUDO_PROMPT_RE };
    case 'pkexec':
      return { method, file: inp.pkexec!, args: [...prefix, file, ...args], env: {}, prompt: PKEXEC_PROMPT_RE };
  }
}

/** Lines sudo/pkexec print when a password was wrong or authentication failed for good. */
export const AUTH_RETRY_RE = /Sorry, try again\.|Authentication failed/;
export const AUTH_GAVE_UP_RE = /incorrect password attempts|Error executing command as another user|Request dismissed|Not authorized/;
