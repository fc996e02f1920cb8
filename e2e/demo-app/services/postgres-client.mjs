// A one-shot PostgreSQL client (protocol 3.0, trust auth), written here so the image needs no npm
// package: connect, then send the startup message, the query and Terminate in ONE write (the
// server reads them in order; trust auth asks nothing back), read until the query's
// ReadyForQuery. One connection per query: the postmaster forks a backend for each.
import net from 'node:net';

function startup(user, database) {
  const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

function message(type, body) {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** The first column of each row of `sql`'s result, as strings. */
export function pgQuery(hostPort, sql) {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const rows = [];
    let buf = Buffer.alloc(0);
    let ready = 0;
    let error = null;
    const s = net.connect({ host, port: Number(port) }, () => {
      s.setNoDelay(true);
      s.write(Buffer.concat([startup('postgres', 'postgres'), message('Q', Buffer.from(`${sql}\0`)), message('X', Buffer.alloc(0))]));
    });
    s.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5) {
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const type = String.fromCharCode(buf[0]);
        const body = buf.subarray(5, 1 + len);
        buf = buf.subarray(1 + len);
        if (type === 'D' && body.readInt16BE(0) > 0) {
          const n = body.readInt32BE(2);
          rows.push(n < 0 ? null : body.subarray(6, 6 + n).toString('utf8'));
        } else if (type === 'E') error = new Error(`postgres: ${body.toString('utf8').replace(/\0/g, ' ').trim()}`);
        // The first ReadyForQuery ends the startup, the second the query.
        else if (type === 'Z' && ++ready === 2) {
          s.destroy();
          if (error) reject(error);
          else resolve(rows);
          return;
        }
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(error ?? new Error('postgres closed the connection before the answer')));
  });
}
