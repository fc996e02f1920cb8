import { ENDPOINTS } from '../e2e/demo-app/endpoints.js';

// The demo app's endpoints as the capture benches load them (bench:capture, bench:toggle): one
// request path each, and whether the app must run its third-party servers (nginx, redis,
// PostgreSQL, the Python pool) to serve it. One table, the demo app's own.

export interface BenchEndpoint {
  name: string;
  path: string;
  thirdParty: boolean;
}

export const BENCH_ENDPOINTS: readonly string[] = ENDPOINTS.map((e) => e.name);

/** The endpoint named `name`; an unknown name is an error that lists the known ones. */
export function benchEndpoint(name: string): BenchEndpoint {
  const e = ENDPOINTS.find((x) => x.name === name);
  if (!e) throw new Error(`unknown endpoint ${name} (one of ${BENCH_ENDPOINTS.join(', ')})`);
  return { name: e.name, path: e.example, thirdParty: e.thirdParty === true };
}

/** The `--endpoints` list; an unknown name ends the bench with the list of known ones (no stack). */
export function benchEndpointsArg(list: string): BenchEndpoint[] {
  try {
    return list.split(',').map(benchEndpoint);
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}
