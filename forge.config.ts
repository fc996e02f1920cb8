import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

// Electron Forge: `npm start` runs the app with Vite (renderer dev server, main and preload
// bundles in .vite/build). Installers are made by electron-builder (build/electron-builder.yml:
// AppImage, deb, dmg, nsis), which also ships the native modules; Forge's makers stay for quick
// local packages. The fuses match electron-builder's, so both packages harden Electron the same.

const config: ForgeConfig = {
  packagerConfig: {
    name: 'MiSeRTrace Explorer',
    executableName: 'misertrace-explorer',
    appBundleId: 'io.misertrace.explorer',
    icon: 'build/icon',
    asar: { unpack: '**/*.node' },
    extraResource: ['samples', 'probes', 'capture/ftrace/misertrace-ftrace-helper.sh'],
  },
  rebuildConfig: {},
  makers: [new MakerZIP({}, ['darwin', 'linux']), new MakerDeb({ options: { mimeType: ['application/x-misertrace-bundle'], categories: ['Development'], icon: 'build/icon.png' } })],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      // The app binary can never be used as a plain Node.js or be steered by NODE_OPTIONS/--inspect.
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      // Only our signed asar runs, unmodified.
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;
