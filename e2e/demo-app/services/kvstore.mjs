// mtdemo kvstore: a small TCP key-value store with a line protocol.
//   GET key        -> value (or "nil")
//   SET key value  -> "OK"
//   DECR key       -> the new value
// One reply line per request line, in order, so a client may pipeline requests on one connection.
import net from 'node:net';

const port = Number(process.env.PORT ?? 7000);
const data = new Map();
for (let i = 1; i <= 8; i++) data.set(`stock:${i}`, 1_000_000);

function execute(line) {
  const [cmd, key, value] = line.trim().split(/\s+/);
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
    default:
      return `ERR unknown command ${cmd ?? ''}`;
  }
}

net
  .createServer((sock) => {
    sock.setNoDelay(true);
    let buf = '';
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let nl;
      const out = [];
      while ((nl = buf.indexOf('\n')) >= 0) {
        out.push(execute(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      // One write per batch of requests: a reply is one send.
      if (out.length > 0) sock.write(`${out.join('\n')}\n`);
    });
    sock.on('error', () => sock.destroy());
  })
  .listen(port, () => console.log(`kvstore listening on ${port}`));
