// mtdemo frontend: the entry service (Node.js event loop). It fans out to two services:
//   GET /checkout?item=N -> catalog /cgi-bin/item?id=N (new connection each time: httpd closes it),
//                           then inventory /reserve?id=N (keep-alive pool)
//   GET /item?id=N       -> catalog /cgi-bin/item?id=N
//   GET /stock?id=N      -> inventory /stock?id=N
//   GET /cart?id=N       -> proxy /cart?id=N (keep-alive pool; nginx in front of inventory, when PROXY is set)
//   GET /order?id=N      -> inventory /order?id=N (keep-alive pool; inventory asks postgres)
//   GET /price?id=N      -> pricing /price?id=N (Python thread pool, when PRICING is set)
//   GET /health          -> no downstream call
//   GET /__gt            -> the ground-truth records (ground-truth.mjs), read after a capture
// A request's X-Request-Id goes on to every downstream call (the catalog's CGI gets it in the query).
import http from 'node:http';
import { drain, handlerTid, now, record } from './ground-truth.mjs';

const port = Number(process.env.PORT ?? 8080);
const catalog = process.env.CATALOG ?? '127.0.0.1:8081';
const inventory = process.env.INVENTORY ?? '127.0.0.1:8082';
const proxy = process.env.PROXY;
const pricing = process.env.PRICING;
const pool = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(hostPort, path, agent, rid, calls, to) {
  const [host, p] = hostPort.split(':');
  const call = { to, start: now(), end: '' };
  calls.push(call);
  return new Promise((resolve, reject) => {
    const headers = rid ? { 'x-request-id': rid } : {};
    const req = http.get({ host, port: Number(p), path, agent, headers }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        call.end = now();
        const text = Buffer.concat(parts).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${hostPort}${path}: HTTP ${res.statusCode} ${text.slice(0, 80)}`));
        else resolve(JSON.parse(text));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

http
  .createServer(async (req, res) => {
    const start = now();
    const url = new URL(req.url, 'http://x');
    const rid = req.headers['x-request-id'];
    const calls = [];
    const n = Number(url.searchParams.get('item') ?? url.searchParams.get('id') ?? '1');
    // rid first: the CGI's sed takes the last `id=` of the query.
    const ridQuery = rid ? `rid=${encodeURIComponent(rid)}&` : '';
    try {
      let body;
      switch (url.pathname) {
        case '/checkout': {
          const item = await get(catalog, `/cgi-bin/item?${ridQuery}id=${n}`, false, rid, calls, 'catalog');
          const reservation = await get(inventory, `/reserve?id=${n}`, pool, rid, calls, 'inventory');
          body = { item, reservation };
          break;
        }
        case '/item':
          body = await get(catalog, `/cgi-bin/item?${ridQuery}id=${n}`, false, rid, calls, 'catalog');
          break;
        case '/stock':
          body = await get(inventory, `/stock?id=${n}`, pool, rid, calls, 'inventory');
          break;
        case '/order':
          body = await get(inventory, `/order?id=${n}`, pool, rid, calls, 'inventory');
          break;
        case '/price':
          if (!pricing) {
            res.writeHead(404).end('no pricing in this app\n');
            return;
          }
          // A new connection each time: the pool's 4 workers each hold a connection while they serve it.
          body = await get(pricing, `/price?id=${n}`, false, rid, calls, 'pricing');
          break;
        case '/cart':
          if (!proxy) {
            res.writeHead(404).end('no proxy in this app\n');
            return;
          }
          body = await get(proxy, `/cart?id=${n}`, pool, rid, calls, 'proxy');
          break;
        case '/health':
          body = { ok: true };
          break;
        case '/__gt':
          res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(drain());
          return;
        default:
          res.writeHead(404).end('not found\n');
          return;
      }
      const text = JSON.stringify(body);
      // The handler's end: just before its reply is written (the reply's send is the span's end).
      if (rid) record({ svc: 'frontend', rid, path: url.pathname, tid: handlerTid(), start, end: now(), calls });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (e) {
      res.writeHead(502).end(`${e.message}\n`);
    }
  })
  .listen(port, () => console.log(`frontend listening on ${port}; catalog ${catalog}, inventory ${inventory}`));
