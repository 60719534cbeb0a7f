import { inflateSync } from 'node:zlib';
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { TemplateView } from '../../../shared/types.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import type { TraySummary, TrayState } from '../../../electron/core/notify/alerts.ts';
import { createNotifier } from '../../../electron/core/notify/notifier.ts';
import {
  createCertdeskTray,
  hideOnClose,
  MAX_TRAY_ITEMS,
  trayMenuTemplate,
  trayTooltip,
  type TrayCtor,
  type TrayHandlers,
} from '../../../electron/shell/tray.ts';
import { TRAY_COLORS, trayIconPng } from '../../../electron/shell/tray-icons.ts';
import {
  FakeApp,
  FakeBrowserWindow,
  FakeMenu,
  FakeNativeImage,
  FakeTray,
} from './electron-fakes.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/tray.ts must take Electron as an argument, not import it');
});

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');

const SUMMARY: TraySummary = {
  state: 'failing',
  items: [
    { templateId: 't1', label: 'shop.example.com: expires soon', state: 'failing' },
    { templateId: 't2', label: 'mail.example.com: retrying', state: 'attention' },
  ],
};

function handlers(): { [K in keyof TrayHandlers]: Mock<TrayHandlers[K]> } {
  return {
    openWindow: vi.fn(),
    openTemplate: vi.fn(),
    renewDueNow: vi.fn(),
    setStartAtLogin: vi.fn(),
    quit: vi.fn(),
  };
}

/** A template whose 90-day certificate was issued at `notBefore`. */
function issued(id: string, notBefore: number, extra: Partial<TemplateView> = {}): TemplateView {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id,
    commonName: `${id}.example.com`,
    altNames: [],
    keyType: 'ecdsa-p256',
    createdAt: iso(T0),
    status: 'issued',
    challengeRecords: [],
    latestCertificate: {
      id: `${id}-cert`,
      issuedAt: iso(notBefore),
      commonName: `${id}.example.com`,
      altNames: [],
      issuer: 'Test CA',
      serial: `${id}-S1`,
      notBefore: iso(notBefore),
      notAfter: iso(notBefore + 90 * DAY),
      fingerprintSha256: `${id}-fp`,
      keyType: 'ecdsa-p256',
    },
    ...extra,
  };
}

/** The pixel at (x, y) of an 8-bit RGBA, filter-0 PNG, read by the PNG specification. */
function pngPixel(png: Buffer, x: number, y: number): { size: number; rgba: number[] } {
  const size = png.readUInt32BE(16);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') {
      idat.push(png.subarray(at + 8, at + 8 + length));
    }
    at += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const start = y * (size * 4 + 1) + 1 + x * 4;
  return { size, rgba: [...rows.subarray(start, start + 4)] };
}

beforeEach(() => {
  FakeTray.created = [];
});

describe('the tray menu', () => {
  it('lists Open Certdesk, the items needing attention, Renew, Start at login and Quit last', () => {
    const menu = new FakeMenu(trayMenuTemplate(SUMMARY, handlers(), { startAtLogin: true }));
    expect(menu.labels()).toEqual([
      'Open Certdesk',
      '---',
      'shop.example.com: expires soon',
      'mail.example.com: retrying',
      '---',
      'Renew due certificates now',
      'Start at login',
      '---',
      'Quit',
    ]);
    const login = menu.items.find((i) => i.label === 'Start at login');
    expect(login).toMatchObject({ type: 'checkbox', checked: true });
  });

  it('leaves Start at login out where login items are unsupported, and lists no items when fine', () => {
    const fine: TraySummary = { state: 'ok', items: [] };
    const menu = new FakeMenu(trayMenuTemplate(fine, handlers(), { startAtLogin: null }));
    expect(menu.labels()).toEqual([
      'Open Certdesk',
      '---',
      'Renew due certificates now',
      '---',
      'Quit',
    ]);
  });

  it('folds items beyond the limit into one line that opens the window', () => {
    const items = Array.from({ length: MAX_TRAY_ITEMS + 3 }, (_, i) => ({
      templateId: `t${i}`,
      label: `site${String(i).padStart(2, '0')}.example.com: retrying`,
      state: 'attention' as const,
    }));
    const h = handlers();
    const menu = new FakeMenu(
      trayMenuTemplate({ state: 'attention', items }, h, { startAtLogin: false }),
    );
    const labels = menu.labels();
    expect(labels.filter((l) => l.endsWith(': retrying'))).toHaveLength(MAX_TRAY_ITEMS);
    expect(labels).toContain('3 more…');
    menu.click('3 more…');
    expect(h.openWindow).toHaveBeenCalledTimes(1);
  });

  it('runs the handler of each item it is clicked on', () => {
    const h = handlers();
    const menu = new FakeMenu(trayMenuTemplate(SUMMARY, h, { startAtLogin: true }));
    menu.click('Renew due certificates now');
    expect(h.renewDueNow).toHaveBeenCalledTimes(1);
    menu.click('mail.example.com: retrying');
    expect(h.openTemplate).toHaveBeenCalledWith('t2');
    menu.click('Start at login');
    expect(h.setStartAtLogin).toHaveBeenCalledWith(false);
    menu.click('Open Certdesk');
    expect(h.openWindow).toHaveBeenCalledTimes(1);
    expect(h.quit).not.toHaveBeenCalled();
    menu.click('Quit');
    expect(h.quit).toHaveBeenCalledTimes(1);
  });
});

describe('the tray tooltip', () => {
  it.each([
    [{ state: 'ok', items: [] }, 'Certdesk: all certificates are fine'],
    [{ state: 'attention', items: [SUMMARY.items[1]] }, 'Certdesk: 1 needs attention'],
    [
      { state: 'attention', items: [SUMMARY.items[1], { ...SUMMARY.items[1], templateId: 't3' }] },
      'Certdesk: 2 need attention',
    ],
    [{ state: 'failing', items: [SUMMARY.items[0]] }, 'Certdesk: 1 failing'],
    [SUMMARY, 'Certdesk: 1 failing, 1 needs attention'],
  ] as [TraySummary, string][])('says %j as %s', (summary, tooltip) => {
    expect(trayTooltip(summary)).toBe(tooltip);
  });
});

describe('the tray icons', () => {
  const states: TrayState[] = ['ok', 'attention', 'failing'];

  it.each(states)('draws %s as a disc in its colour with a white mark, corners clear', (state) => {
    const png = trayIconPng(state, 2);
    expect(pngPixel(png, 0, 0).rgba[3]).toBe(0);
    // Left of centre, inside the disc and clear of every mark.
    expect(pngPixel(png, 5, 16)).toEqual({ size: 32, rgba: [...TRAY_COLORS[state], 255] });
    const onMark = { ok: [14, 21], attention: [16, 12], failing: [15, 15] }[state];
    expect(pngPixel(png, onMark[0] ?? 0, onMark[1] ?? 0).rgba).toEqual([255, 255, 255, 255]);
  });

  it('gives every state a different picture at 16 and 32 pixels', () => {
    for (const scale of [1, 2] as const) {
      const pngs = new Set(states.map((s) => trayIconPng(s, scale).toString('base64')));
      expect(pngs.size).toBe(3);
      expect(pngPixel(trayIconPng('ok', scale), 0, 0).size).toBe(16 * scale);
    }
  });
});

/** A tray wired to a real notifier over `templates`, with Electron stand-ins. */
function trayFor(templates: TemplateView[], platform: NodeJS.Platform = 'darwin') {
  const lines: string[] = [];
  const log = createLogger([memorySink(lines)]);
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const notifier = createNotifier({ list: () => templates, now: () => new Date(T0) });
  const app = new FakeApp();
  const engine = { renewDueNow: vi.fn() };
  const openWindow = vi.fn();
  const certdeskTray = createCertdeskTray({
    Tray: FakeTray as unknown as TrayCtor,
    Menu: FakeMenu as never,
    nativeImage: FakeNativeImage,
    app: app.asApp(),
    notifier,
    engine,
    openWindow,
    platform,
    log,
  });
  const tray = FakeTray.created[0] as FakeTray;
  return { tray, notifier, app, engine, openWindow, records, certdeskTray };
}

/** The 1x PNG the tray currently shows. */
const shownPng = (tray: FakeTray) => tray.image.representations[0]?.buffer.toString('base64');

describe('createCertdeskTray()', () => {
  it('shows the all-good icon and tooltip, with 1x and 2x images', () => {
    const { tray } = trayFor([issued('t1', T0)]);
    expect(tray.toolTip).toBe('Certdesk: all certificates are fine');
    expect(shownPng(tray)).toBe(trayIconPng('ok', 1).toString('base64'));
    expect(tray.image.representations.map((r) => r.scaleFactor)).toEqual([1, 2]);
  });

  it('turns to attention when a renewal fails with a retry planned, and lists the template', () => {
    const { tray, notifier } = trayFor([issued('t1', T0)]);
    const failure = {
      code: 'dns-error',
      message: 'The DNS provider did not answer.',
      at: new Date(T0).toISOString(),
      nextAttemptAt: new Date(T0 + DAY).toISOString(),
    };
    notifier.handle({ name: 'templateChanged', payload: issued('t1', T0, { failure }) });
    expect(tray.toolTip).toBe('Certdesk: 1 needs attention');
    expect(shownPng(tray)).toBe(trayIconPng('attention', 1).toString('base64'));
    expect(tray.menu?.labels()).toContain('t1.example.com: retrying');
  });

  it('turns to failing for a certificate in its last days', () => {
    const { tray } = trayFor([issued('t1', T0 - 88 * DAY)]);
    expect(tray.toolTip).toBe('Certdesk: 1 failing');
    expect(shownPng(tray)).toBe(trayIconPng('failing', 1).toString('base64'));
  });

  it('asks the engine to renew due certificates when that item is clicked', () => {
    const { tray, engine } = trayFor([issued('t1', T0)]);
    tray.menu?.click('Renew due certificates now');
    expect(engine.renewDueNow).toHaveBeenCalledTimes(1);
  });

  it('opens the window for a listed template and names the template in the log', () => {
    const { tray, openWindow, records } = trayFor([issued('t1', T0 - 88 * DAY)]);
    tray.menu?.click('t1.example.com: expires soon');
    expect(openWindow).toHaveBeenCalledTimes(1);
    expect(records()).toContainEqual(
      expect.objectContaining({ message: 'tray item chosen', templateId: 't1' }),
    );
  });

  it('binds Start at login to the login item settings and redraws the checkbox from them', () => {
    const { tray, app } = trayFor([issued('t1', T0)], 'win32');
    const checked = () => tray.menu?.items.find((i) => i.label === 'Start at login')?.checked;
    expect(checked()).toBe(false);
    tray.menu?.click('Start at login');
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
    expect(checked()).toBe(true);
  });

  it('leaves Start at login out on Linux', () => {
    const { tray, app } = trayFor([issued('t1', T0)], 'linux');
    expect(tray.menu?.labels()).not.toContain('Start at login');
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('opens the window on a click of the icon on Windows only', () => {
    const windows = trayFor([issued('t1', T0)], 'win32');
    windows.tray.emit('click');
    expect(windows.openWindow).toHaveBeenCalledTimes(1);
    FakeTray.created = [];
    const mac = trayFor([issued('t1', T0)], 'darwin');
    expect(mac.tray.count('click')).toBe(0);
  });

  it('quits the app from Quit, and stops following the notifier once destroyed', () => {
    const { tray, app, notifier, certdeskTray } = trayFor([issued('t1', T0)]);
    tray.menu?.click('Quit');
    expect(app.quit).toHaveBeenCalledTimes(1);
    certdeskTray.destroy();
    expect(tray.destroyed).toBe(true);
    notifier.handle({ name: 'templateChanged', payload: issued('t1', T0 - 88 * DAY) });
    expect(tray.toolTip).toBe('Certdesk: all certificates are fine');
  });
});

describe('hideOnClose()', () => {
  it('hides the window instead of closing it while asked to, and closes it otherwise', () => {
    const window = new FakeBrowserWindow({});
    let keep = true;
    hideOnClose(window as never, () => keep);
    expect(window.requestClose()).toBe(false);
    expect(window.hide).toHaveBeenCalledTimes(1);
    keep = false;
    expect(window.requestClose()).toBe(true);
    expect(window.hide).toHaveBeenCalledTimes(1);
  });
});
