import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TemplateView } from '../../../shared/types.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import type { Alert } from '../../../electron/core/notify/alerts.ts';
import { createNotifier } from '../../../electron/core/notify/notifier.ts';
import {
  notificationOptions,
  registerNotificationHandlers,
  setNotificationIdentity,
  startBackgroundClock,
  TICK_INTERVAL_MS,
  WINDOWS_APP_USER_MODEL_ID,
  type NotificationCtor,
} from '../../../electron/shell/notifications.ts';
import { FakeApp, FakeEmitter, FakeNotification } from './electron-fakes.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/notifications.ts must take Electron as an argument');
});

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');

function issued(serial: string, notBefore: number, extra: Partial<TemplateView> = {}) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const view: TemplateView = {
    id: 't1',
    commonName: 'shop.example.com',
    altNames: [],
    keyType: 'ecdsa-p256',
    createdAt: iso(T0),
    status: 'issued',
    challengeRecords: [],
    latestCertificate: {
      id: serial,
      issuedAt: iso(notBefore),
      commonName: 'shop.example.com',
      altNames: [],
      issuer: 'Test CA',
      serial,
      notBefore: iso(notBefore),
      notAfter: iso(notBefore + 90 * DAY),
      fingerprintSha256: serial,
      keyType: 'ecdsa-p256',
    },
    ...extra,
  };
  return view;
}

/** A real notifier over one template, with notifications shown through the stand-in. */
function setup(withOpenTemplate = false) {
  const lines: string[] = [];
  const notifier = createNotifier({ list: () => [issued('S1', T0)], now: () => new Date(T0) });
  const openWindow = vi.fn();
  const openTemplate = vi.fn();
  const stop = registerNotificationHandlers({
    Notification: FakeNotification as unknown as NotificationCtor,
    notifier,
    openWindow,
    ...(withOpenTemplate ? { openTemplate } : {}),
    log: createLogger([memorySink(lines)]),
  });
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { notifier, openWindow, openTemplate, stop, logged };
}

const failure = (nextAttemptAt?: number) => ({
  code: 'dns-error',
  message: 'The DNS provider did not answer.',
  at: new Date(T0).toISOString(),
  ...(nextAttemptAt ? { nextAttemptAt: new Date(nextAttemptAt).toISOString() } : {}),
});

beforeEach(() => {
  FakeNotification.created = [];
  FakeNotification.supported = true;
});

describe('notificationOptions()', () => {
  it.each([
    ['error', 'critical'],
    ['warning', 'normal'],
    ['info', 'normal'],
  ] as const)(
    'maps an alert of level %s to %s urgency, keeping title and body',
    (level, urgency) => {
      const alert: Alert = {
        key: 'k',
        kind: 'renewal-failed',
        templateId: 't1',
        level,
        title: 'shop.example.com: renewal failed',
        body: 'The DNS provider did not answer.',
      };
      expect(notificationOptions(alert)).toEqual({
        title: 'shop.example.com: renewal failed',
        body: 'The DNS provider did not answer.',
        urgency,
      });
    },
  );
});

describe('registerNotificationHandlers()', () => {
  it('shows a renewal as one normal notification', () => {
    const { notifier } = setup();
    notifier.handle({ name: 'templateChanged', payload: issued('S2', T0 + 60 * DAY) });
    expect(FakeNotification.created).toHaveLength(1);
    const [shown] = FakeNotification.created;
    expect(shown?.options).toMatchObject({ title: 'shop.example.com renewed', urgency: 'normal' });
    expect(shown?.show).toHaveBeenCalledTimes(1);
  });

  it('shows a failed renewal with no automatic retry as a critical notification', () => {
    const { notifier } = setup();
    notifier.handle({ name: 'templateChanged', payload: issued('S1', T0, { failure: failure() }) });
    expect(FakeNotification.created.map((n) => n.options)).toEqual([
      expect.objectContaining({ title: 'shop.example.com: renewal failed', urgency: 'critical' }),
    ]);
  });

  it('shows a repeated failure once', () => {
    const { notifier } = setup();
    const payload = issued('S1', T0, { failure: failure(T0 + DAY) });
    notifier.handle({ name: 'templateChanged', payload });
    notifier.handle({ name: 'templateChanged', payload });
    expect(FakeNotification.created).toHaveLength(1);
    expect(FakeNotification.created[0]?.options.urgency).toBe('normal');
  });

  it('opens the window on a click and names the template in the log', () => {
    const { notifier, openWindow, logged } = setup();
    notifier.handle({ name: 'templateChanged', payload: issued('S2', T0 + 60 * DAY) });
    FakeNotification.created[0]?.emit('click', {});
    expect(openWindow).toHaveBeenCalledTimes(1);
    expect(logged()).toContainEqual(
      expect.objectContaining({ message: 'notification clicked', templateId: 't1' }),
    );
  });

  it('opens the template a notification is about when the shell can', () => {
    const { notifier, openWindow, openTemplate } = setup(true);
    notifier.handle({ name: 'templateChanged', payload: issued('S2', T0 + 60 * DAY) });
    FakeNotification.created[0]?.emit('click', {});
    expect(openTemplate).toHaveBeenCalledWith('t1');
    expect(openWindow).not.toHaveBeenCalled();
  });

  it('logs instead of showing where the desktop has no notifications', () => {
    FakeNotification.supported = false;
    const { notifier, logged } = setup();
    notifier.handle({ name: 'templateChanged', payload: issued('S2', T0 + 60 * DAY) });
    expect(FakeNotification.created).toHaveLength(0);
    expect(logged()).toContainEqual(
      expect.objectContaining({ kind: 'renewed', templateId: 't1', level: 'info' }),
    );
  });

  it('shows nothing more once stopped', () => {
    const { notifier, stop } = setup();
    stop();
    notifier.handle({ name: 'templateChanged', payload: issued('S2', T0 + 60 * DAY) });
    expect(FakeNotification.created).toHaveLength(0);
  });
});

describe('startBackgroundClock()', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function clock() {
    const calls: string[] = [];
    const powerMonitor = new FakeEmitter();
    const stop = startBackgroundClock({
      powerMonitor: powerMonitor as never,
      engine: { wake: () => calls.push('wake') },
      notifier: { tick: () => calls.push('tick') },
      log: createLogger([]),
    });
    return { calls, powerMonitor, stop };
  }

  it('ticks once at start, and on resume lets the engine catch up before ticking', () => {
    const { calls, powerMonitor } = clock();
    expect(calls).toEqual(['tick']);
    powerMonitor.emit('resume');
    expect(calls).toEqual(['tick', 'wake', 'tick']);
  });

  it('ticks every hour', () => {
    vi.useFakeTimers();
    const { calls } = clock();
    vi.advanceTimersByTime(TICK_INTERVAL_MS - 1);
    expect(calls).toEqual(['tick']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['tick', 'tick']);
  });

  it('uses a timer that does not keep the process alive, and stops timer and listener', () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
    const { calls, powerMonitor, stop } = clock();
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    stop();
    expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
    expect(powerMonitor.count('resume')).toBe(0);
    powerMonitor.emit('resume');
    expect(calls).toEqual(['tick']);
  });
});

describe('setNotificationIdentity()', () => {
  it('files Windows notifications under the appId of electron-builder.yml', () => {
    const builder = readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8');
    expect(builder).toMatch(
      new RegExp(`^appId: ${WINDOWS_APP_USER_MODEL_ID.replaceAll('.', '\\.')}$`, 'm'),
    );
    const app = new FakeApp();
    setNotificationIdentity(app.asApp(), 'win32');
    expect(app.setAppUserModelId).toHaveBeenCalledWith('io.certdesk.app');
    setNotificationIdentity(app.asApp(), 'linux');
    expect(app.setAppUserModelId).toHaveBeenCalledTimes(1);
  });
});
