import http from 'node:http';

// Known requests to the demo frontend on 127.0.0.1, each stamped with CLOCK_MONOTONIC times
// (process.hrtime), the clock of the kernel records. By default one new connection per request
// (like curl); with keep-alive, each in-flight slot reuses its connection. With a request-id
// prefix, each request carries `X-Request-Id: <prefix>-<index>`, which the services pass on and
// log (ground truth for e2e/accuracy).

export interface HttpResult {
  status: number;
  body: string;
}

export interface HttpOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** false (default): a new connection, closed after the answer. */
  agent?: http.Agent | false;
}

export function httpGet(url: string, opts: HttpOptions | number = {}): Promise<HttpResult> {
  const o = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`the load generator only sends to 127.0.0.1, not ${u.hostname}`);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: Number(u.port), path: `${u.pathname}${u.search}`, agent: o.agent ?? false, headers: o.headers, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface SentRequest {
  index: number;
  endpoint: string;
  path: string;
  status: number;
  /** CLOCK_MONOTONIC ns when the request was started and when its answer was complete. */
  startNs: bigint;
  endNs: bigint;
  /** The X-Request-Id sent, when the run tags requests. */
  rid?: string;
  error?: string;
}

export interface PlannedRequest {
  endpoint: string;
  path: string;
}

export interface SendOptions {
  /** Reuse connections (one per in-flight slot) instead of one new connection per request. */
  keepAlive?: boolean;
  /** Tag request i with `X-Request-Id: <ridPrefix>-<i>`. */
  ridPrefix?: string;
}

/** Sends the plan with at most `concurrency` requests in flight; results in plan order. */
export async function sendRequests(baseUrl: string, plan: readonly PlannedRequest[], concurrency = 1, opts: SendOptions = {}): Promise<SentRequest[]> {
  const out: SentRequest[] = new Array(plan.length);
  const slots = Math.max(1, concurrency);
  const agent = opts.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: slots }) : false;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= plan.length) return;
      const p = plan[i]!;
      const rid = opts.ridPrefix === undefined ? undefined : `${opts.ridPrefix}-${i}`;
      const headers = rid === undefined ? undefined : { 'x-request-id': rid };
      const startNs = process.hrtime.bigint();
      try {
        const r = await httpGet(`${baseUrl}${p.path}`, { agent, headers });
        out[i] = { index: i, endpoint: p.endpoint, path: p.path, status: r.status, startNs, endNs: process.hrtime.bigint(), rid };
      } catch (e) {
        out[i] = { index: i, endpoint: p.endpoint, path: p.path, status: 0, startNs, endNs: process.hrtime.bigint(), rid, error: (e as Error).message };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: slots }, worker));
  } finally {
    if (agent) agent.destroy();
  }
  return out;
}
