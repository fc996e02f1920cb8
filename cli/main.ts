import { InputError } from '../engine/model/meta.js';
import { CancelledError, isDiskFull } from '../engine/records/line-reader.js';
import { TOOL_VERSION } from '../engine/version.js';
import { commandHelp, parseCommandArgs, type CliIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT } from './exit-codes.js';
import { Interrupts } from './interrupts.js';
import { refuseNonRegularInputs, refuseOutputOverInput } from './output-guard.js';

// The `misertrace` command line: the original tool's jobs with the same flags, plus more.
// User errors print one message and a hint (no stack trace); bugs print the stack.

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: misertrace <command> [options]   (misertrace <command> --help for its options)

MiSeRTrace Explorer ${TOOL_VERSION}: kernel-level request tracing for Docker microservices.

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

exit codes: 0 ok, 1 problems found, 2 bad usage or input, 3 environment not ready
            (Docker, privileges, kernel), 70 internal error, 130 interrupted
`;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  try {
    if (entry === undefined) throw new InputError(`unknown command "${name}"`, `commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const cmd = await entry.load();
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values['help'] === true) {
      io.stdout.write(commandHelp(cmd, entry.summary));
      return EXIT.ok;
    }
    refuseNonRegularInputs(values);
    refuseOutputOverInput(name, values);
    return await cmd.run(values, positionals, io);
  } catch (e) {
    return reportError(e, io);
  }
}

export function reportError(e: unknown, io: CliIO): number {
  if (e instanceof CancelledError) {
    io.stderr.write('\nmisertrace: interrupted; no output was written\n');
    return EXIT.interrupted;
  }
  if (e instanceof InputError) {
    io.stderr.write(`misertrace: error: ${e.message}\n`);
    if (e.hint) io.stderr.write(`  hint: ${e.hint}\n`);
    return (e as { exitCode?: number }).exitCode ?? EXIT.usage;
  }
  if (isDiskFull(e)) {
    // A full disk is the machine's state, not a bug: no stack trace (the writers removed their partial files).
    io.stderr.write(`misertrace: error: the disk is full (${(e as Error).message})\n  hint: free some space or write to another file system; inputs and work folders named above are kept\n`);
    return EXIT.environment;
  }
  io.stderr.write(`misertrace: internal error (please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.internal;
}

/** Process entry: signals abort the running command, which removes its partial output. */
export async function main(): Promise<void> {
  const interrupts = new Interrupts((t) => process.stderr.write(t), (code) => process.exit(code));
  const onSignal = () => interrupts.signal();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // `misertrace render ... | head` closes the pipe early: that is not an error.
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    throw e;
  });
  const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupts.stop, interrupts });
  process.exitCode = code;
}

export { isDiskFull };
