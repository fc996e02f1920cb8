import { DemoApp, removeStaleDemoResources } from './demo-app.js';
import { ENDPOINTS, planRequests } from './endpoints.js';
import { sendRequests } from './load-generator.js';

// `npm run demo`: start the demo app, print how to capture it, optionally send known requests
// (`-- --requests N` per endpoint), and remove everything on Ctrl-C (or after the requests with
// `-- --once`). `-- --third-party` adds nginx, redis, PostgreSQL and the Python thread pool.

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const reqIdx = args.indexOf('--requests');
  const perEndpoint = reqIdx >= 0 ? Number(args[reqIdx + 1]) : 0;
  const once = args.includes('--once');
  const thirdParty = args.includes('--third-party');
  for (const r of await removeStaleDemoResources()) console.error(`removed stale ${r}`);
  const app = new DemoApp({ log: (l) => console.error(l), thirdParty });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error('removing the demo app...');
    try {
      await app.down();
      console.error('demo app removed');
    } catch (e) {
      console.error(String(e));
      code = 1;
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  await app.up();
  console.log(`network: ${app.network}`);
  console.log(`frontend: ${app.url}`);
  for (const c of app.containers.values()) console.log(`  ${c.name.padEnd(28)} ${c.ip}`);
  console.log(`endpoints: ${ENDPOINTS.filter((e) => thirdParty || !e.thirdParty).map((e) => e.example).join('  ')}`);
  console.log(`capture it: misertrace capture -n ${app.network} -o demo.mstrace`);
  if (perEndpoint > 0) {
    const sent = await sendRequests(app.url, planRequests(perEndpoint, thirdParty), 1);
    const ok = sent.filter((s) => s.status === 200).length;
    console.log(`sent ${sent.length} requests, ${ok} answered 200`);
  }
  if (once) await stop(0);
  else {
    // Nothing else keeps the event loop alive: without this, Node would exit here and leave the
    // containers running with no one to remove them.
    setInterval(() => undefined, 1 << 30);
    console.error('press Ctrl-C to remove the demo app');
  }
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
