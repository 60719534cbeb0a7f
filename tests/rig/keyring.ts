import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { killOnExit, run, runOk, stopChild, tailFile, waitFor } from './proc.ts';

/** Environment a process needs to reach the rig's Secret Service. */
export interface KeyringEnv {
  /** `unix:path=<dir>/bus`, the private session bus. */
  DBUS_SESSION_BUS_ADDRESS: string;
  /** Throwaway home; the login keyring file lives under it. */
  HOME: string;
  /** Under HOME. */
  XDG_DATA_HOME: string;
  /** Under HOME. */
  XDG_CONFIG_HOME: string;
  /** Under HOME. */
  XDG_CACHE_HOME: string;
  /** Private runtime dir (mode 0700) for gnome-keyring's control socket. */
  XDG_RUNTIME_DIR: string;
}

/** A private session bus with an unlocked gnome-keyring on it. */
export interface KeyringRig {
  /** Variables to give a child process; keytar reads them at load, so set them at spawn. */
  env: KeyringEnv;
  /**
   * process.env without DISPLAY/WAYLAND_DISPLAY (with a display a locked keyring prompts and
   * hangs), plus `env`: pass this as a child's whole environment.
   */
  childEnv(): NodeJS.ProcessEnv;
  /** Locks the login collection; later writes fail with "locked collection". No unlock offered. */
  lock(): Promise<void>;
  /** Temp dir holding the bus socket, the throwaway HOME and the logs. */
  dir: string;
  /** Stops the keyring daemon and the bus and deletes the temp dir (kept when RIG_KEEP=1). */
  stop(): Promise<void>;
}

function logTo(child: ChildProcess, path: string): void {
  const log = createWriteStream(path);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
}

async function makeEnv(dir: string): Promise<KeyringEnv> {
  const env: KeyringEnv = {
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'bus')}`,
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'home', '.local', 'share'),
    XDG_CONFIG_HOME: join(dir, 'home', '.config'),
    XDG_CACHE_HOME: join(dir, 'home', '.cache'),
    XDG_RUNTIME_DIR: join(dir, 'runtime'),
  };
  for (const d of [env.XDG_DATA_HOME, env.XDG_CONFIG_HOME, env.XDG_CACHE_HOME]) {
    await mkdir(d, { recursive: true, mode: 0o700 });
  }
  await mkdir(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  return env;
}

function cleanEnv(env: KeyringEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.DISPLAY;
  delete base.WAYLAND_DISPLAY;
  return { ...base, ...env };
}

async function startBus(dir: string, env: KeyringEnv): Promise<ChildProcess> {
  const args = ['--session', '--nofork', `--address=${env.DBUS_SESSION_BUS_ADDRESS}`];
  const bus = spawn('dbus-daemon', args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(bus);
  logTo(bus, join(dir, 'dbus.log'));
  await waitFor('the private D-Bus session bus', async () => {
    if (bus.exitCode !== null) throw new Error('dbus-daemon exited');
    const r = await run(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus'].concat([
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.ListNames',
      ]),
      { env: cleanEnv(env) },
    );
    return r.code === 0 ? true : undefined;
  });
  return bus;
}

async function secretsOwned(env: KeyringEnv): Promise<boolean> {
  const args = [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
  ];
  args.push('org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets');
  const out = await runOk('dbus-send', args, { env: cleanEnv(env) });
  return /boolean true/.test(out);
}

async function startDaemon(dir: string, env: KeyringEnv, password: string) {
  const args = ['--foreground', '--unlock', '--components=secrets'];
  const child = spawn('gnome-keyring-daemon', args, { env: cleanEnv(env), cwd: env.HOME });
  killOnExit(child);
  logTo(child, join(dir, 'keyring.log'));
  child.stdin.on('error', () => undefined);
  child.stdin.end(password);
  await waitFor('gnome-keyring on the bus', async () => {
    if (child.exitCode !== null) throw new Error('gnome-keyring-daemon exited');
    return (await secretsOwned(env)) ? true : undefined;
  });
  return child;
}

const LOGIN = '/org/freedesktop/secrets/collection/login';

/** Locks the login collection with Secret.Service.Lock (`secret-tool lock` segfaults here). */
async function lockLogin(env: KeyringEnv): Promise<void> {
  const call = ['call', '--session', '--dest', 'org.freedesktop.secrets'];
  await runOk(
    'gdbus',
    [...call, '--object-path', '/org/freedesktop/secrets'].concat([
      '--method',
      'org.freedesktop.Secret.Service.Lock',
      `['${LOGIN}']`,
    ]),
    { env: cleanEnv(env) },
  );
  const get = ['--method', 'org.freedesktop.DBus.Properties.Get'];
  const out = await runOk(
    'gdbus',
    [...call, '--object-path', LOGIN, ...get].concat([
      'org.freedesktop.Secret.Collection',
      'Locked',
    ]),
    { env: cleanEnv(env) },
  );
  if (!out.includes('true')) throw new Error(`login collection still unlocked: ${out.trim()}`);
}

/**
 * Starts a private D-Bus session bus and gnome-keyring-daemon (secrets component only) with
 * a throwaway HOME, unlocked with a random password, and resolves once the Secret Service is
 * on the bus. Nothing touches the user's real keyring or session bus.
 */
export async function startKeyring(): Promise<KeyringRig> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-keyring-'));
  const env = await makeEnv(dir);
  const children: ChildProcess[] = [];
  try {
    children.push(await startBus(dir, env));
    children.push(await startDaemon(dir, env, randomBytes(16).toString('hex')));
  } catch (e) {
    for (const c of children.reverse()) await stopChild(c);
    const logs = `${await tailFile(join(dir, 'dbus.log'))}\n${await tailFile(join(dir, 'keyring.log'))}`;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`keyring did not start: ${String(e)}\n--- logs ---\n${logs}`, { cause: e });
  }
  return {
    env,
    dir,
    childEnv: () => cleanEnv(env),
    lock: () => lockLogin(env),
    stop: async () => {
      for (const c of children.reverse()) await stopChild(c);
      if (process.env.RIG_KEEP !== '1') await rm(dir, { recursive: true, force: true });
    },
  };
}
