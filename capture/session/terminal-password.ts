import type { PasswordPrompt } from './elevation.js';

// The command line's own password prompt for sudo/pkexec: read from the controlling terminal
// with echo off, character by character; ^C or ^D cancels. The password is handed to the
// capture child's pty by the caller and not kept here.

/**
 * One line read from a terminal in raw mode: echo off for secrets (or echoed by hand), ^C or ^D
 * cancel (null). Shared by the sudo prompt and the CLI's remote-host prompts.
 */
export function readTerminalLine(input: NodeJS.ReadStream, output: NodeJS.WritableStream, question: string, echo: boolean): Promise<string | null> {
  return new Promise((resolve) => {
    output.write(question);
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
        if (ch === '\x7f' || ch === '\b') {
          if (typed.length > 0 && echo) output.write('\b \b');
          typed = typed.slice(0, -1);
        } else {
          typed += ch;
          if (echo) output.write(ch);
        }
      }
    };
    input.on('data', onData);
  });
}

export function terminalPasswordPrompt(input: NodeJS.ReadStream, output: NodeJS.WritableStream): PasswordPrompt {
  return async (req) => {
    if (!input.isTTY) {
      output.write(`misertrace: ${req.method} needs a password, but there is no terminal to ask it on\n`);
      return null;
    }
    return readTerminalLine(input, output, `${req.attempt > 1 ? 'Sorry, try again. ' : ''}[misertrace] ${req.method} password to capture kernel events: `, false);
  };
}
