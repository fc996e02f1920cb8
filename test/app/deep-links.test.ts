import { describe, expect, it } from 'vitest';
import { linkFromArgv, openDeepLink, parseDeepLink } from '../../electron/app-services/deep-links.js';
import { PathGrants } from '../../electron/app-services/path-grants.js';

// Deep links come from outside the app: every field is checked before a path is granted.

const GOOD = 'misertrace://open?bundle=%2Fhome%2Fa%2Fcapture.mstrace&trace=12&span=3';

describe('deep links', () => {
  it('reads a link to a span, to a trace, and the scheme without slashes', () => {
    expect(parseDeepLink(GOOD)).toEqual({ ok: true, target: { path: '/home/a/capture.mstrace', traceId: 12, spanIndex: 3 } });
    expect(parseDeepLink('misertrace://open?bundle=/home/a/b%20c.mstrace&trace=1')).toEqual({ ok: true, target: { path: '/home/a/b c.mstrace', traceId: 1, spanIndex: null } });
    expect(parseDeepLink('misertrace:open?bundle=/x.mstrace&trace=2&span=0')).toEqual({ ok: true, target: { path: '/x.mstrace', traceId: 2, spanIndex: 0 } });
    expect(parseDeepLink('misertrace://open/?bundle=/x.mstrace&trace=2').ok).toBe(true);
  });

  it.each([
    ['http://open?bundle=/x.mstrace&trace=1', /not a misertrace:\/\/ link/],
    ['misertrace://delete?bundle=/x.mstrace&trace=1', /asks for "delete"/],
    ['misertrace://open?trace=1', /names no bundle/],
    ['misertrace://open?bundle=x.mstrace&trace=1', /not an absolute, normalized path/],
    ['misertrace://open?bundle=/a/../etc/x.mstrace&trace=1', /not an absolute, normalized path/],
    ['misertrace://open?bundle=/a//x.mstrace&trace=1', /not an absolute, normalized path/],
    ['misertrace://open?bundle=/etc/shadow&trace=1', /not a \.mstrace file/],
    ['misertrace://open?bundle=/x.mstrace%00.txt&trace=1', /NUL/],
    ['misertrace://open?bundle=/x.mstrace', /has no trace/],
    ['misertrace://open?bundle=/x.mstrace&trace=0', /out of range/],
    ['misertrace://open?bundle=/x.mstrace&trace=1e3', /not a whole number/],
    ['misertrace://open?bundle=/x.mstrace&trace=99999999999', /not a whole number|out of range/],
    ['misertrace://open?bundle=/x.mstrace&trace=1&span=-1', /not a whole number/],
    ['misertrace://open?bundle=/x.mstrace&trace=1&trace=2', /given twice/],
    ['misertrace://open?bundle=/x.mstrace&trace=1&exec=rm', /unknown field "exec"/],
    ['misertrace://user:pw@open?bundle=/x.mstrace&trace=1', /parts a link to a trace never has/],
    ['misertrace://open?bundle=/x.mstrace&trace=1#frag', /parts a link to a trace never has/],
    ['not a url', /not a URL/],
    [`misertrace://open?bundle=/${'a'.repeat(9000)}.mstrace&trace=1`, /usable length/],
  ])('refuses %s', (link, why) => {
    const r = parseDeepLink(link);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(why);
  });

  it('grants and pushes a good link, reports a bad one without granting anything', () => {
    const grants = new PathGrants();
    const sent: [string, unknown][] = [];
    const emit = (name: string, payload: unknown) => void sent.push([name, payload]);
    expect(openDeepLink(GOOD, grants, emit)).toBe(true);
    expect(grants.allows('/home/a/capture.mstrace', 'open')).toBe(true);
    expect(grants.allows('/home/a/capture.mstrace', 'capture-output')).toBe(false);
    expect(sent).toEqual([['openRequested', { path: '/home/a/capture.mstrace', at: { traceId: 12, spanIndex: 3 } }]]);
    expect(openDeepLink('misertrace://open?bundle=/home/b/other.mstrace&trace=x', grants, emit)).toBe(false);
    expect(grants.allows('/home/b/other.mstrace', 'open')).toBe(false);
    expect(sent[1]![0]).toBe('linkRefused');
    expect((sent[1]![1] as { message: string }).message).toBe('The link was not opened: its trace (x) is not a whole number');
  });

  it('finds a link among launch arguments', () => {
    expect(linkFromArgv(['--no-sandbox', GOOD])).toBe(GOOD);
    expect(linkFromArgv(['/home/a/capture.mstrace'])).toBeNull();
  });
});
