// Run by sudo-elevation.test.ts as an unprivileged user: elevates a command through sudo with
// PtyChild, answering the prompt from a script given on stdin, and prints what happened as JSON.
import { readFileSync } from 'node:fs';
import { planElevation } from '../../capture/session/elevation.js';
import { PtyChild } from '../../capture/session/pty-child.js';

const input = JSON.parse(readFileSync(0, 'utf8')) as { answers: (string | null)[]; argv: string[] };
const plan = planElevation({ argv: input.argv, env: { MT_ELEVATED_VAR: 'passed' }, method: 'sudo', uid: process.getuid!(), sudo: '/usr/bin/sudo', pkexec: null });
const attempts: number[] = [];
const lines: string[] = [];
const child = new PtyChild({
  plan,
  cwd: '/tmp',
  askPassword: async (req) => {
    attempts.push(req.attempt);
    return input.answers[req.attempt - 1] ?? null;
  },
});
child.onLine.on((l) => lines.push(l));
const exit = await child.exited;
process.stdout.write(JSON.stringify({ exit, attempts, lines, transcript: child.transcript(), authError: child.authenticationError?.code ?? null }));
child.dispose();
