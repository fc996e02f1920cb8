// Development entry of the engine worker: runs the TypeScript source through tsx (tests run the
// sources; the built app and CLI use the compiled engine-worker.js beside engine-client.js).
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');
