// mtdemo frontend: the entry service (Node.js event loop). It fans out to two services:
//   GET /checkout?item=N -> catalog /cgi-bin/item?id=N (new connection each time: httpd closes it),
//                           then inventory /reserve?id=N (keep-alive pool)
//   GET /item?id=N       -> catalog /cgi-bin/item?id=N
//   GET /stock?id=N      -> inventory /stock?id=N
//   GET /health          -> no downstream call
import http from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const catalog = process.env.CATALOG ?? '127.0.0.1:8081';
const inventory = process.env.INVENTORY ?? '127.0.0.1:8082';
const pool = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(hostPort, path, agent) {
  const [host, p] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: Number(p), path, agent }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
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
    const url = new URL(req.url, 'http://x');
    const n = Number(url.searchParams.get('item') ?? url.searchParams.get('id') ?? '1');
    try {
      let body;
      switch (url.pathname) {
        case '/checkout': {
          const item = await get(catalog, `/cgi-bin/item?id=${n}`, false);
          const reservation = await get(inventory, `/reserve?id=${n}`, pool);
          body = { item, reservation };
          break;
        }
        case '/item':
          body = await get(catalog, `/cgi-bin/item?id=${n}`, false);
          break;
        case '/stock':
          body = await get(inventory, `/stock?id=${n}`, pool);
          break;
        case '/health':
          body = { ok: true };
          break;
        default:
          res.writeHead(404).end('not found\n');
          return;
      }
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (e) {
      res.writeHead(502).end(`${e.message}\n`);
    }
  })
  .listen(port, () => console.log(`frontend listening on ${port}; catalog ${catalog}, inventory ${inventory}`));
