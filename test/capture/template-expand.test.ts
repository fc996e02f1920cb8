import { describe, expect, it } from 'vitest';
import { expandTemplate } from '../../capture/probes/template-expand.js';

const ctx = { syscalls: { send: ['write', 'sendto'], recv: ['read'] }, slots: { PIDS: '  @pids[1] = 1;' } };

describe('probe template expansion', () => {
  it('repeats an @each block per syscall of its group, with {{SC}} replaced', () => {
    const t = 'a\n// @each send\nx_{{SC}}\n// @end\n// @each all\ny_{{SC}}\n// @end\nb';
    expect(expandTemplate(t, ctx)).toBe('a\nx_write\nx_sendto\ny_write\ny_sendto\ny_read\nb');
  });

  it('gives each syscall its record code as {{SCID}}', () => {
    expect(expandTemplate('// @each all\n{{SC}}={{SCID}}\n// @end', ctx)).toBe('write=100\nsendto=101\nread=200');
  });

  it('fills slots and refuses an unknown one or an unclosed block (bugs in probes/)', () => {
    expect(expandTemplate('BEGIN {\n{{PIDS}}\n}', ctx)).toBe('BEGIN {\n  @pids[1] = 1;\n}');
    expect(() => expandTemplate('{{NOPE}}', ctx, 'f.bt')).toThrow('f.bt: no value for slot {{NOPE}}');
    expect(() => expandTemplate('// @each recv\nx', ctx, 'g.bt')).toThrow('g.bt:1: @each without @end');
  });
});
