#!/usr/bin/env node
/**
 * Builds Certdesk into dist/: the renderer with Vite (dist/renderer), then the main process,
 * the preload and, when their sources exist, the test host with esbuild (targets.mjs).
 *
 *   node build/build.mjs                 everything
 *   node build/build.mjs electron        only some parts: renderer, electron, testhost
 *
 * Exits 1 with the compiler's own messages when any part fails.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  MAIN_BUNDLE,
  PRELOAD_BUNDLE,
  TESTHOST_BRIDGE_BUNDLE,
  TESTHOST_SERVER_BUNDLE,
} from './targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PARTS = ['renderer', 'electron', 'testhost'];

/** Builds the renderer with the project's vite.config.ts (which resolves paths from the root). */
async function buildRenderer() {
  const { build: viteBuild } = await import('vite');
  try {
    await viteBuild({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  } catch (error) {
    // Vite puts the compiler's diagnostics in the message without printing them.
    console.error(error instanceof Error ? error.message : String(error));
    throw new Error('the renderer did not build (messages above)', { cause: error });
  }
  console.log('built dist/renderer');
}

/** Builds esbuild bundles whose entry exists, after clearing their output folder. */
async function buildBundles(folder, targets) {
  rmSync(join(ROOT, folder), { recursive: true, force: true });
  for (const target of targets) {
    const entry = target.options.entryPoints[0];
    if (!existsSync(join(ROOT, entry))) {
      console.log(`skipped ${target.name}: ${entry} does not exist`);
      continue;
    }
    await build({ ...target.options, absWorkingDir: ROOT });
    const kb = (statSync(join(ROOT, target.options.outfile)).size / 1024).toFixed(1);
    console.log(`built ${target.options.outfile} (${kb} kB)`);
  }
}

async function main(args) {
  const unknown = args.filter((arg) => !PARTS.includes(arg));
  if (unknown.length > 0) {
    console.error(`Certdesk build: unknown part ${unknown.join(', ')}; use ${PARTS.join(', ')}.`);
    process.exit(2);
  }
  const wanted = new Set(args.length > 0 ? args : PARTS);
  process.chdir(ROOT);
  if (wanted.has('renderer')) await buildRenderer();
  if (wanted.has('electron')) await buildBundles('dist/electron', [MAIN_BUNDLE, PRELOAD_BUNDLE]);
  if (wanted.has('testhost')) {
    await buildBundles('dist/testhost', [TESTHOST_SERVER_BUNDLE, TESTHOST_BRIDGE_BUNDLE]);
  }
}

main(process.argv.slice(2)).catch((error) => {
  // The details of what failed are already printed above.
  const first = String(error instanceof Error ? error.message : error).split('\n')[0];
  console.error(`Certdesk build failed: ${first}`);
  process.exit(1);
});
