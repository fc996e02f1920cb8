import type { PasswordPrompt } from './elevation.js';

// The command line's own password prompt for sudo/pkexec: read from the controlling terminal
// with echo off, character by character; ^C or ^D cancels. The password is handed to the
// capture child's pty by the caller and not kept here.

export function terminalPasswordPrompt(input: NodeJS.ReadStream, output: NodeJS.WritableStream): PasswordPrompt {
  return (req) =>
    new Promise((resolve) => {
      if (!input.isTTY) {
        output.write(`misertrace: ${req.method} needs a password, but there is no terminal to ask it on\n`);
        resolve(null);
        return;
      }
      output.write(`${req.attempt > 1 ? 'Sorry, try again. ' : ''}[misertrace] ${req.method} password to capture kernel events: `);
      const wasRaw = input.isRaw;
      input.setRawMode(true);
      input.resume();
      let typed = '';
      const finish = (value: string | null) => {
        input.off('data', onData);
        input.setRawMode(wasRaw);
        input.pause();
        output.write('\n');
        resolve(value);
      };
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return finish(typed);
          if (ch === '\x03' || ch === '\x04') return finish(null);
          if (ch === '\x7f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      input.on('data', onData);
    });
}
