import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util/out/DebugLogger.js';
import { describe, expect, it } from 'vitest';
import { appLocations } from '../../electron/app-services/app-paths.js';
import { PROJECT_ROOT } from '../fixtures.js';

// Packaging cannot run here (no Electron binary), so its configuration is checked as far as the
// tools allow: electron-builder's own schema, and Forge's config wired to the files main expects.

describe('packaging', () => {
  it('has an electron-builder config its schema accepts, with the four targets and the file association', async () => {
    const config = await getConfig(PROJECT_ROOT, join(PROJECT_ROOT, 'build', 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.fileAssociations).toMatchObject([{ ext: 'mstrace' }]);
    expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true, enableNodeCliInspectArguments: false });
    // The ftrace root helper ships beside the resources, outside the asar (it must run; sudoers names it).
    expect(config.extraResources).toContainEqual({ from: 'capture/ftrace/misertrace-ftrace-helper.sh', to: 'misertrace-ftrace-helper.sh' });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(existsSync(join(PROJECT_ROOT, 'build', 'icons', `${size}x${size}.png`))).toBe(true);
    // The icon electron-builder derives .icns/.ico from must be at least 512 px square.
    const png = readFileSync(join(PROJECT_ROOT, 'build', 'icon.png'));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it('wires Forge to the entry points, renderer name and output main.ts uses', async () => {
    const forge = (await import('../../forge.config.js')).default;
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('.vite/build/main.js');
    expect(pkg.scripts['start']).toBe('electron-forge start');
    const names = forge.plugins?.map((p) => (p as { name: string }).name);
    expect(names).toEqual(expect.arrayContaining(['vite', 'fuses']));
    const vite = forge.plugins!.find((p) => (p as { name: string }).name === 'vite') as unknown as { config: { build: { entry: string; config: string }[]; renderer: { name: string; config: string }[] } };
    expect(vite.config.build.map((b) => b.entry)).toEqual(['electron/main.ts', 'electron/preload.ts']);
    for (const b of [...vite.config.build, ...vite.config.renderer]) expect(existsSync(join(PROJECT_ROOT, b.config))).toBe(true);
    // main.ts finds the renderer where Forge's renderer build puts it.
    const loc = appLocations({ packaged: false, resourcesPath: '/r', appPath: PROJECT_ROOT, mainDir: join(PROJECT_ROOT, '.vite', 'build'), rendererName: vite.config.renderer[0]!.name });
    expect(loc.rendererIndex).toBe(join(PROJECT_ROOT, '.vite', 'renderer', 'main_window', 'index.html'));
    expect(existsSync(loc.samplePath)).toBe(true);
    expect(existsSync(join(loc.probesDir, 'catalog.json'))).toBe(true);
  });
});
