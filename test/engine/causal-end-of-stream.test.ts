import { describe, expect, it } from 'vitest';
import { CausalScenario, linkShape } from './causal-scenario.js';
import { GW, meta } from './model-scenario.js';

// A reply that ends when the server closes (HTTP/1.0, a CGI behind busybox httpd) is whole only
// at the client's receive of 0 bytes, and that is when its handler goes on. The accuracy harness
// found /checkout's second call glued to another request on the frontend's event loop: both
// catalog replies' data were read, then the first one's end of stream, then its /reserve call;
// without the 0-byte receive, the newest read (the other request) looked like the parent.

const FE = { ip: '172.18.0.9', port: 8080 };
const CAT = { ip: '172.18.0.8', port: 8080 };
const INV = { ip: '172.18.0.5', port: 8080 };
const gw = (port: number) => ({ ip: GW, port });
const fe = (port: number) => ({ ip: FE.ip, port });
const threads = () => meta([1, 'frontend', FE.ip], [2, 'catalog', CAT.ip], [3, 'inventory', INV.ip]);

/** Requests A and B read by the loop; each calls the catalog on a new connection, replies are read in order. */
function twoCatalogCalls(s: CausalScenario): void {
  s.sockRecv(1, FE, gw(50001), 96, 'A'); // request A
  s.connect(1, fe(37001), CAT).sockSend(1, fe(37001), CAT, 120);
  s.sockRecv(1, FE, gw(50002), 96, 'B'); // request B
  s.connect(1, fe(37002), CAT).sockSend(1, fe(37002), CAT, 120);
  for (const p of [37001, 37002]) s.sockRecv(2, CAT, fe(p), 120).sockSend(2, CAT, fe(p), 112);
  s.sockRecv(1, fe(37001), CAT, 112); // A's catalog reply, data
  s.sockRecv(1, fe(37002), CAT, 113); // B's catalog reply, data
}

describe('the end of a stream is a read of its reply', () => {
  it("a call after the 0-byte receive of A's reply is A's, though B's reply was read after A's data", () => {
    const s = new CausalScenario(threads());
    twoCatalogCalls(s);
    s.sockRecv(1, fe(37001), CAT, 0); // A's reply ends: the server closed
    s.sockSend(1, fe(44190), INV, 104); // A's /reserve on a kept-alive connection (no connect)
    s.sockRecv(3, INV, fe(44190), 104).sockSend(3, INV, fe(44190), 180);
    s.sockRecv(1, fe(44190), INV, 180);
    s.sockSend(1, FE, gw(50001), 188); // A answered
    s.sockRecv(1, fe(37002), CAT, 0); // B's reply ends
    s.sockSend(1, FE, gw(50002), 190); // B answered (an /item: no second call)
    const r = s.runCausal();
    const shapes = r.traces.map(linkShape);
    expect(shapes).toHaveLength(2);
    // A (tid 1's first root): the catalog by birth (exact: A alone was open at its connect; B's is inferred), then the inventory call under A.
    expect(shapes[0]).toEqual(['network:1 root', '  network:2 birth', '  network:3 last-read?']);
    expect(shapes[1]).toEqual(['network:1 root', '  network:2 birth?']);
    expect(r.diagnostics.count('guessed-role')).toBe(0);
  });

  it('a server reading the end of its client stream opens no request, and an old stream ending is ignored', () => {
    const s = new CausalScenario(threads());
    s.sockRecv(1, FE, gw(50001), 96).sockSend(1, FE, gw(50001), 188);
    s.sockRecv(1, FE, gw(50001), 0); // the load generator closed
    s.sockRecv(1, fe(39999), CAT, 0); // a connection older than the capture ends
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root']]);
    expect(r.counts.orphans).toBe(0);
    expect(r.diagnostics.count('guessed-role')).toBe(0);
  });
});
