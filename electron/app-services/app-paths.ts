import { join } from 'node:path';

// Where the app finds its bundled files: the project in development, resources/ when packaged
// (electron-builder's extraResources: samples/ and probes/), and the built renderer.

export interface AppLocations {
  samplePath: string;
  probesDir: string;
  rendererIndex: string;
}

export function appLocations(o: { packaged: boolean; resourcesPath: string; appPath: string; mainDir: string; rendererName: string }): AppLocations {
  const base = o.packaged ? o.resourcesPath : o.appPath;
  return {
    samplePath: join(base, 'samples', 'mixed50.mstrace'),
    probesDir: join(base, 'probes'),
    // Forge's layout: .vite/build/main.js beside .vite/renderer/<name>/index.html.
    rendererIndex: join(o.mainDir, '..', 'renderer', o.rendererName, 'index.html'),
  };
}
