// mtdemo inventory: an HTTP service (Node.js event loop) in front of the kvstore, over ONE
// persistent TCP connection shared by all requests (replies come back in request order).
//   GET /stock?id=N   -> kvstore "GET stock:N"
//   GET /reserve?id=N -> kvstore "DECR stock:N"
//   GET /cart?id=N    -> redis "INCR cart:N", also over one shared connection (REDIS set)
//   GET /order?id=N   -> postgres query on a new connection (a backend process each; DB set)
//   GET /__gt         -> the ground-truth records (ground-truth.mjs)
// The request id rides the kvstore line as a trailing `@id` word (our own protocol); redis gets
// the plain command.
import http from 'node:http';
import { drain, handlerTid, now, record } from './ground-truth.mjs';
import { pgQuery } from './postgres-client.mjs';
import { LineClient, RespClient } from './shared-connection.mjs';

const port = Number(process.env.PORT ?? 8080);
const kvAddr = process.env.KVSTORE ?? '127.0.0.1:7000';
const kv = new LineClient(kvAddr);
const redis = process.env.REDIS ? new RespClient(process.env.REDIS) : null;
const db = process.env.DB;

async function timed(calls, to, f) {
  const call = { to, start: now(), end: '' };
  calls.push(call);
  const v = await f();
  call.end = now();
  return v;
}

http
  .createServer(async (req, res) => {
    const start = now();
    const url = new URL(req.url, 'http://x');
    const id = Number(url.searchParams.get('id') ?? '1');
    const rid = req.headers['x-request-id'];
    const tag = rid ? ` @${rid}` : '';
    const calls = [];
    try {
      let body;
      if (url.pathname === '/stock') body = { id, stock: Number(await timed(calls, 'kvstore', () => kv.call(`GET stock:${id}${tag}`))) };
      else if (url.pathname === '/reserve') body = { id, left: Number(await timed(calls, 'kvstore', () => kv.call(`DECR stock:${id}${tag}`))) };
      else if (url.pathname === '/cart' && redis) body = { id, cart: Number(await timed(calls, 'redis', () => redis.call(['INCR', `cart:${id}`]))) };
      else if (url.pathname === '/order' && db) body = { id, order: (await timed(calls, 'db', () => pgQuery(db, `SELECT ${id} * 1000 + 7`)))[0] };
      else if (url.pathname === '/health') body = { ok: true, kv: kv.connected };
      else if (url.pathname === '/__gt') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(drain());
        return;
      } else {
        res.writeHead(404).end('not found\n');
        return;
      }
      const text = JSON.stringify(body);
      if (rid) record({ svc: 'inventory', rid, path: url.pathname, tid: handlerTid(), start, end: now(), calls });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (e) {
      res.writeHead(502).end(`${e.message}\n`);
    }
  })
  .listen(port, () => console.log(`inventory listening on ${port}, kvstore at ${kvAddr}${redis ? `, redis at ${process.env.REDIS}` : ''}`));
