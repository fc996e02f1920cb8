// Clients that share ONE persistent TCP connection among all concurrent requests; replies come
// back in request order, so each reply goes to the oldest waiting caller. Two wire formats: the
// kvstore's line protocol, and RESP (redis), written here so the image needs no npm package.
import net from 'node:net';

class SharedConnection {
  constructor(hostPort) {
    [this.host, this.port] = hostPort.split(':');
    this.pending = [];
    this.buf = Buffer.alloc(0);
    this.sock = null;
  }

  get connected() {
    return this.sock !== null;
  }

  send(bytes) {
    return new Promise((resolve, reject) => {
      this.sock ??= this.connect();
      this.pending.push((err, v) => (err ? reject(err) : resolve(v)));
      this.sock.write(bytes);
    });
  }

  connect() {
    const s = net.connect({ host: this.host, port: Number(this.port) });
    s.setNoDelay(true);
    s.on('data', (chunk) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      for (;;) {
        const r = this.parse(this.buf);
        if (r === null) break;
        this.buf = this.buf.subarray(r.used);
        this.pending.shift()?.(r.error ? new Error(r.error) : null, r.value);
      }
    });
    s.on('error', (e) => {
      for (const cb of this.pending.splice(0)) cb(e);
      this.sock = null;
    });
    s.on('close', () => {
      this.sock = null;
    });
    return s;
  }
}

/** `COMMAND args\n` -> one reply line. */
export class LineClient extends SharedConnection {
  call(line) {
    return this.send(`${line}\n`);
  }

  parse(buf) {
    const nl = buf.indexOf(10);
    return nl < 0 ? null : { used: nl + 1, value: buf.subarray(0, nl).toString('utf8') };
  }
}

/** RESP: commands as arrays of bulk strings; replies of the simple kinds redis sends for them. */
export class RespClient extends SharedConnection {
  call(words) {
    const parts = [`*${words.length}\r\n`];
    for (const w of words) parts.push(`$${Buffer.byteLength(w)}\r\n${w}\r\n`);
    return this.send(parts.join(''));
  }

  parse(buf) {
    const eol = buf.indexOf('\r\n');
    if (eol < 0) return null;
    const head = buf.subarray(1, eol).toString('utf8');
    switch (String.fromCharCode(buf[0])) {
      case '+':
        return { used: eol + 2, value: head };
      case ':':
        return { used: eol + 2, value: Number(head) };
      case '-':
        return { used: eol + 2, error: `redis: ${head}` };
      case '$': {
        const n = Number(head);
        if (n < 0) return { used: eol + 2, value: null };
        if (buf.length < eol + 2 + n + 2) return null;
        return { used: eol + 2 + n + 2, value: buf.subarray(eol + 2, eol + 2 + n).toString('utf8') };
      }
      default:
        return { used: buf.length, error: `redis: unexpected reply ${JSON.stringify(buf.subarray(0, 40).toString())}` };
    }
  }
}
