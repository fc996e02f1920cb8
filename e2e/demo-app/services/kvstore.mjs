// mtdemo kvstore: a small TCP key-value store with a line protocol.
//   GET key        -> value (or "nil")
//   SET key value  -> "OK"
//   DECR key       -> the new value
//   __GT           -> the ground-truth records (ground-truth.mjs) as one JSON line
// One reply line per request line, in order, so a client may pipeline requests on one connection.
// A trailing `@id` word is the request id of the caller (ground truth), not part of the command.
import net from 'node:net';
import { drain, handlerTid, now, record } from './ground-truth.mjs';

const port = Number(process.env.PORT ?? 7000);
const data = new Map();
for (let i = 1; i <= 8; i++) data.set(`stock:${i}`, 1_000_000);

function execute(words) {
  const [cmd, key, value] = words;
  switch ((cmd ?? '').toUpperCase()) {
    case 'GET':
      return data.has(key) ? String(data.get(key)) : 'nil';
    case 'SET':
      data.set(key, Number(value));
      return 'OK';
    case 'DECR': {
      const v = (data.get(key) ?? 0) - 1;
      data.set(key, v);
      return String(v);
    }
    case '__GT':
      return JSON.stringify(drain().split('\n').filter((l) => l !== ''));
    default:
      return `ERR unknown command ${cmd ?? ''}`;
  }
}

net
  .createServer((sock) => {
    sock.setNoDelay(true);
    let buf = '';
    sock.on('data', (chunk) => {
      const start = now();
      buf += chunk.toString('utf8');
      let nl;
      const out = [];
      const rids = [];
      while ((nl = buf.indexOf('\n')) >= 0) {
        const words = buf.slice(0, nl).trim().split(/\s+/);
        if (words.length > 1 && words[words.length - 1].startsWith('@')) rids.push(words.pop().slice(1));
        out.push(execute(words));
        buf = buf.slice(nl + 1);
      }
      // One write per batch of requests: a reply is one send.
      if (out.length > 0) {
        const end = now();
        for (const rid of rids) record({ svc: 'kvstore', rid, tid: handlerTid(), start, end, batch: rids.length });
        sock.write(`${out.join('\n')}\n`);
      }
    });
    sock.on('error', () => sock.destroy());
  })
  .listen(port, () => console.log(`kvstore listening on ${port}`));
