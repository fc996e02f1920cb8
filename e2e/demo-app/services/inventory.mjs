// mtdemo inventory: an HTTP service (Node.js event loop) in front of the kvstore, over ONE
// persistent TCP connection shared by all requests (replies come back in request order).
//   GET /stock?id=N   -> kvstore "GET stock:N"
//   GET /reserve?id=N -> kvstore "DECR stock:N"
import http from 'node:http';
import net from 'node:net';

const port = Number(process.env.PORT ?? 8080);
const [kvHost, kvPort] = (process.env.KVSTORE ?? '127.0.0.1:7000').split(':');

const pending = [];
let buf = '';
let kv = null;

function connectKv() {
  const s = net.connect({ host: kvHost, port: Number(kvPort) });
  s.setNoDelay(true);
  s.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      pending.shift()?.(null, line);
    }
  });
  s.on('error', (e) => {
    for (const cb of pending.splice(0)) cb(e);
    kv = null;
  });
  s.on('close', () => {
    kv = null;
  });
  return s;
}

function kvCall(line) {
  return new Promise((resolve, reject) => {
    kv ??= connectKv();
    pending.push((err, v) => (err ? reject(err) : resolve(v)));
    kv.write(`${line}\n`);
  });
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const id = Number(url.searchParams.get('id') ?? '1');
    try {
      let body;
      if (url.pathname === '/stock') body = { id, stock: Number(await kvCall(`GET stock:${id}`)) };
      else if (url.pathname === '/reserve') body = { id, left: Number(await kvCall(`DECR stock:${id}`)) };
      else if (url.pathname === '/health') body = { ok: true, kv: kv !== null };
      else {
        res.writeHead(404).end('not found\n');
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (e) {
      res.writeHead(502).end(`kvstore: ${e.message}\n`);
    }
  })
  .listen(port, () => console.log(`inventory listening on ${port}, kvstore at ${kvHost}:${kvPort}`));
