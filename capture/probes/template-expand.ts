// The small template language of probes/bpftrace/*.bt:
//   // @each send|recv|all      repeat the lines up to `// @end` once per syscall of the group,
//   ...{{SC}}...                with {{SC}} replaced by the syscall name and {{SCID}} by its
//                               record code (record-codes.ts);
//   {{NAME}}                    a slot, replaced by the text the builder passes for NAME.
// An unknown slot or an unclosed block is a bug in probes/ and throws.

import { syscallCode } from './record-codes.js';

export interface ExpandContext {
  syscalls: { send: readonly string[]; recv: readonly string[] };
  slots: Record<string, string>;
}

export function expandTemplate(text: string, ctx: ExpandContext, source = 'template'): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\/\/\s*@each\s+(send|recv|all)\s*$/.exec(lines[i]!);
    if (!m) {
      out.push(lines[i]!);
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && /^\s*\/\/\s*@end\s*$/.test(l));
    if (end < 0) throw new Error(`${source}:${i + 1}: @each without @end`);
    const body = lines.slice(i + 1, end).join('\n');
    const group = m[1] === 'all' ? [...ctx.syscalls.send, ...ctx.syscalls.recv] : m[1] === 'send' ? ctx.syscalls.send : ctx.syscalls.recv;
    for (const sc of group) out.push(body.replaceAll('{{SCID}}', String(syscallCode(ctx.syscalls, sc))).replaceAll('{{SC}}', sc));
    i = end;
  }
  return out.join('\n').replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
    const v = ctx.slots[name];
    if (v === undefined) throw new Error(`${source}: no value for slot {{${name}}}`);
    return v;
  });
}
