import { afterAll, beforeAll } from 'vitest';
import { tempDir, type TempDir } from '../../test/fixture-bundles.js';
import { DemoApp } from '../demo-app/demo-app.js';

// The demo app and a work folder for one describe block of the capture e2e specs: up before its
// first test, down (containers, network) and removed after its last, also when a test failed.

export interface DemoSuite {
  readonly app: DemoApp;
  readonly dir: TempDir;
}

/** Call inside a describe: registers its beforeAll/afterAll; read `app` and `dir` in the tests. */
export function demoAppSuite(prefix: string): DemoSuite {
  let app: DemoApp | undefined;
  let dir: TempDir | undefined;
  beforeAll(async () => {
    dir = tempDir(prefix);
    app = new DemoApp();
    await app.up();
  }, 180_000);
  afterAll(async () => {
    await app?.down();
    dir?.remove();
  }, 60_000);
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the demo app suite's ${what} is read before its beforeAll ran`);
    return v;
  };
  return {
    get app() {
      return ready(app, 'app');
    },
    get dir() {
      return ready(dir, 'work folder');
    },
  };
}
