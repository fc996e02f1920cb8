import http from 'node:http';

// Known requests to the demo frontend on 127.0.0.1, one new connection per request (like curl),
// each stamped with CLOCK_MONOTONIC times (process.hrtime), the clock of the kernel records.

export interface HttpResult {
  status: number;
  body: string;
}

export function httpGet(url: string, timeoutMs = 10_000): Promise<HttpResult> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`the load generator only sends to 127.0.0.1, not ${u.hostname}`);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: Number(u.port), path: `${u.pathname}${u.search}`, agent: false, timeout: timeoutMs }, (res) => {
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
  error?: string;
}

export interface PlannedRequest {
  endpoint: string;
  path: string;
}

/** Sends the plan with at most `concurrency` requests in flight; results in plan order. */
export async function sendRequests(baseUrl: string, plan: readonly PlannedRequest[], concurrency = 1): Promise<SentRequest[]> {
  const out: SentRequest[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= plan.length) return;
      const p = plan[i]!;
      const startNs = process.hrtime.bigint();
      try {
        const r = await httpGet(`${baseUrl}${p.path}`);
        out[i] = { index: i, endpoint: p.endpoint, path: p.path, status: r.status, startNs, endNs: process.hrtime.bigint() };
      } catch (e) {
        out[i] = { index: i, endpoint: p.endpoint, path: p.path, status: 0, startNs, endNs: process.hrtime.bigint(), error: (e as Error).message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return out;
}
