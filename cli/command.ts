import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../engine/model/meta.js';

// A subcommand: its flags (node:util parseArgs), its help text and what it does.

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** A second Ctrl-C (cli/interrupts.ts): for commands that called hurryable(). */
  interrupts?: { hurry: AbortSignal; hurryable(): void; setKept(note: string | null): void };
}

export interface Command {
  name: string;
  usage: string;
  /** Lines describing each flag, shown by --help. */
  help: string;
  options: Options;
  allowPositionals?: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], io: CliIO): Promise<number>;
}

export class UsageError extends InputError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'UsageError';
  }
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    throw new UsageError(msg, `see: misertrace ${cmd.name} --help`);
  }
}

export function commandHelp(cmd: Command, summary: string): string {
  return `usage: misertrace ${cmd.name} ${cmd.usage}\n\n${summary}\n\n${cmd.help.trimEnd()}\n  -h, --help             show this help\n`;
}

export function requireString(values: Record<string, unknown>, key: string, flag: string, cmd: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing ${flag}`, `see: misertrace ${cmd} --help`);
  return v;
}
