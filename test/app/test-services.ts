import { join } from 'node:path';
import { ServicesCaptureAccess } from '../../electron/app-services/capture-bridge.js';
import { composeServices, type ComposedServices, type ComposeOptions } from '../../electron/app-services/compose-services.js';
import { DiscoveryService } from '../../capture/discovery/network-discovery.js';

// The app's services composed as main composes them, for the tests of app-services: a user-data
// folder of their own under `dir`, dialogs that answer "cancelled", a table port that takes every
// table, and discovery pointed at a socket that does not exist (no test here talks to Docker).
// `o` replaces any of these.

export function composeForTest(dir: string, o: Partial<ComposeOptions> = {}): ComposedServices {
  return composeServices({
    userDataDir: join(dir, `user-${Math.random().toString(36).slice(2)}`),
    samplePath: null,
    takeLaunchBundle: () => null,
    appVersion: 't',
    platform: 'linux',
    dialogs: { pickOpenPath: async () => null, pickSavePath: async () => null },
    emit: () => undefined,
    tables: () => true,
    capture: new ServicesCaptureAccess({ discovery: new DiscoveryService({ socketPath: join(dir, 'none.sock') }), session: null }),
    ...o,
  });
}
