/**
 * The esbuild bundles Certdesk ships or tests with, in one place so build.mjs and the unit
 * tests that inspect the bundles use exactly the same options. Paths are relative to the
 * repository root. Entries whose source does not exist are skipped by build.mjs.
 */

/** Main process: ESM for Node inside Electron; every npm package stays external. */
export const MAIN_BUNDLE = {
  name: 'main',
  options: {
    entryPoints: ['electron/main.ts'],
    outfile: 'dist/electron/main.js',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  },
};

/**
 * Preload: ONE CommonJS file, because a sandboxed preload cannot load other modules. Only
 * `electron` stays external; the sandbox provides it.
 */
export const PRELOAD_BUNDLE = {
  name: 'preload',
  options: {
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'es2023',
    external: ['electron'],
    sourcemap: false,
    logLevel: 'warning',
  },
};

/** Test host server (never packaged): same shape as main. */
export const TESTHOST_SERVER_BUNDLE = {
  name: 'testhost server',
  options: {
    ...MAIN_BUNDLE.options,
    entryPoints: ['electron/testhost/server.ts'],
    outfile: 'dist/testhost/server.js',
  },
};

/** Test host bridge (never packaged): a classic script the test host injects into the page. */
export const TESTHOST_BRIDGE_BUNDLE = {
  name: 'testhost bridge',
  options: {
    entryPoints: ['electron/testhost/bridge.ts'],
    outfile: 'dist/testhost/bridge.js',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2023',
    sourcemap: false,
    logLevel: 'warning',
  },
};

/** Every esbuild bundle, in build order. */
export const ESBUILD_BUNDLES = [
  MAIN_BUNDLE,
  PRELOAD_BUNDLE,
  TESTHOST_SERVER_BUNDLE,
  TESTHOST_BRIDGE_BUNDLE,
];
