// Development entry of the sorter's thread: runs the TypeScript source through tsx (tests run the
// sources; the CLI uses the compiled sort-worker.js beside sort-threads.js).
import { register } from 'tsx/esm/api';

register();
await import('./sort-worker.ts');
