#!/usr/bin/env node
/**
 * `npm start`: makes sure the Electron runtime is there, builds Certdesk, and launches it with
 * the installed `electron` package (`electron . <your arguments>`), passing the exit code on.
 *
 * The runtime is the `electron` package's binary in node_modules/electron/dist. When it is
 * missing, the package's own installer downloads it, as `require('electron')` would; when
 * that fails (no network, blocked download) this prints ONE line saying so and exits 1,
 * instead of Electron's stack trace. ELECTRON_OVERRIDE_DIST_PATH points at an Electron build
 * elsewhere, as the electron package documents.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** Where the electron package lives, or null when it is not installed at all. */
function electronPackageDir() {
  try {
    return dirname(require.resolve('electron/package.json', { paths: [ROOT] }));
  } catch {
    return null;
  }
}

/** The executable's path inside a dist folder, as the electron package names it. */
function executableName() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

/**
 * The runtime binary if it is present, else null. Without an override it must be the version
 * the package wants, the same test the package's installer makes.
 */
function installedRuntime(packageDir) {
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : executableName();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return existsSync(join(override, relative)) ? join(override, relative) : null;
  const versionFile = join(packageDir, 'dist', 'version');
  if (!existsSync(pathFile) || !existsSync(versionFile)) return null;
  const wanted = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  if (readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') !== wanted) return null;
  const binary = join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/** Runs a node script; resolves its exit code. Output is shown only when `quiet` is false. */
function runNode(args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: quiet ? ['ignore', 'ignore', 'ignore'] : 'inherit',
    });
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Downloads the runtime with the electron package's installer, quietly; true on success. */
async function downloadRuntime(packageDir) {
  // Say something only when the download takes long enough for the wait to be noticed.
  const notice = setTimeout(() => {
    console.log('Certdesk: downloading the Electron runtime (first start only)...');
  }, 2000);
  const code = await runNode([join(packageDir, 'install.js')], { quiet: true });
  clearTimeout(notice);
  return code === 0 && installedRuntime(packageDir) !== null;
}

function fail(line) {
  console.error(`Certdesk: ${line}`);
  process.exit(1);
}

async function main() {
  const packageDir = electronPackageDir();
  if (!packageDir) fail('the electron package is not installed; run `npm install` first.');
  if (!installedRuntime(packageDir)) {
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
      fail(
        `ELECTRON_OVERRIDE_DIST_PATH is set but ${join(process.env.ELECTRON_OVERRIDE_DIST_PATH, executableName())} does not exist.`,
      );
    }
    if (!(await downloadRuntime(packageDir))) {
      fail(
        'the Electron runtime is not installed (node_modules/electron/dist is missing) and could not be downloaded; run `npm install` on a machine with internet access, or set ELECTRON_OVERRIDE_DIST_PATH to an Electron build.',
      );
    }
  }

  const built = await runNode([join(ROOT, 'build', 'build.mjs')]);
  if (built !== 0) process.exit(built);

  const child = spawn(
    process.execPath,
    [join(packageDir, 'cli.js'), '.', ...process.argv.slice(2)],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error) =>
  fail(`could not start (${error instanceof Error ? error.message : error}).`),
);
