import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options } from '@electron/fuses';
import type { Configuration } from 'electron-builder';
import { getFileMatchers } from 'app-builder-lib/out/fileMatcher.js';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';

// electron-builder's own loader and validator (the schema in app-builder-lib/scheme.json)
// read electron-builder.yml exactly as `electron-builder` does before packaging.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let config: Configuration;

beforeAll(async () => {
  config = await getConfig(ROOT, null, null);
});

const validate = (candidate: Configuration) =>
  validateConfiguration(candidate, new DebugLogger(false));

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('is rejected by the same validator when it carries an unknown or mistyped option', async () => {
    await expect(validate({ ...config, electronFuzes: {} } as Configuration)).rejects.toThrow(
      /electronFuzes/,
    );
    await expect(
      validate({ ...config, electronFuses: { runAsNode: 'no' } } as unknown as Configuration),
    ).rejects.toThrow(/runAsNode/);
  });

  it('names the app and writes packages to release/', () => {
    expect(config).toMatchObject({
      appId: 'io.certdesk.app',
      productName: 'Certdesk',
      asar: true,
      npmRebuild: false,
      directories: { output: 'release', buildResources: 'build' },
    });
  });

  it('flips every fuse the way the Electron security guide recommends', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
  });

  it('decides every fuse @electron/fuses knows, so a new fuse fails here until decided', () => {
    // electron-builder's option has no strictlyRequireAllFuses; this is the stand-in check.
    const known = Object.keys(FuseV1Options).filter((key) => Number.isNaN(Number(key)));
    const keyFor = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
    const fuses = (config.electronFuses ?? {}) as Record<string, unknown>;
    for (const name of known) expect(typeof fuses[keyFor(name)], name).toBe('boolean');
  });

  it('builds AppImage and deb for Linux, nsis for Windows and dmg for macOS', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.linux).toMatchObject({ category: 'Utility' });
    expect(config.linux?.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(config.linux?.synopsis?.length).toBeGreaterThan(10);
    expect(config.mac).toMatchObject({ hardenedRuntime: true });
  });

  it('points at icons and entitlements that exist', () => {
    const files = [
      config.linux?.icon,
      config.win?.icon,
      config.mac?.icon,
      config.mac?.entitlements,
      config.mac?.entitlementsInherit,
    ];
    for (const file of files) {
      expect(typeof file).toBe('string');
      expect(existsSync(join(ROOT, file as string)), String(file)).toBe(true);
    }
  });

  it('packs the built app and nothing of the test host, tests or sources', () => {
    const matchers = getFileMatchers(config, 'files', join(ROOT, 'out'), {
      macroExpander: (pattern) => pattern,
      customBuildOptions: config.linux ?? {},
      globalOutDir: join(ROOT, 'release'),
      defaultSrc: ROOT,
    });
    const filter = matchers?.[0]?.createFilter();
    if (!filter) throw new Error('electron-builder found no file patterns');
    const file = { isDirectory: () => false, isFile: () => true };
    const packed = (path: string) => filter(join(ROOT, path), file as never);

    for (const path of [
      'dist/electron/main.js',
      'dist/electron/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-abc.js',
      'package.json',
    ]) {
      expect(packed(path), path).toBe(true);
    }
    for (const path of [
      'dist/testhost/server.js',
      'dist/testhost/bridge.js',
      'dist/electron/main.js.map',
      'tests/unit/shell/ipc.test.ts',
      'electron/main.ts',
      'electron/core/index.ts',
      'shared/contract.ts',
      'renderer/src/main.ts',
      'build/build.mjs',
      'electron-builder.yml',
      'tsconfig.json',
    ]) {
      expect(packed(path), path).toBe(false);
    }
  });
});
