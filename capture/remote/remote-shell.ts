// Commands for a remote host's POSIX shell. sshd runs a command through the user's login shell,
// which may be bash, zsh or fish: every script of ours runs under /bin/sh -c with one quoted
// argument, so only POSIX sh syntax is ever parsed by the remote side.

/** One shell word: plain when safe, else single-quoted. */
export function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `script` run by /bin/sh on the remote host, with positional arguments $1.. */
export function shCommand(script: string, args: readonly string[] = []): string {
  return ['exec', '/bin/sh', '-c', shQuote(script), 'misertrace', ...args.map(shQuote)].join(' ');
}
