import { describe, expect, it, vi } from 'vitest';
import type { Session } from 'electron';
import {
  guardWebContents,
  installNavigationGuards,
  installPermissionHandlers,
  isSafeExternalUrl,
  openExternalSafely,
  safeExternalUrl,
} from '../../../electron/shell/navigation.ts';
import { FakeApp, FakeWebContents, asWebContents } from './electron-fakes.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/navigation.ts must not load the electron module at runtime');
});

const LONG = `https://letsencrypt.org/${'a'.repeat(10 * 1024)}`;

// [input, what the system browser receives, or null when refused]
const EXTERNAL: [string, string | null][] = [
  ['https://letsencrypt.org/docs/', 'https://letsencrypt.org/docs/'],
  ['HTTPS://LETSENCRYPT.ORG', 'https://letsencrypt.org/'],
  ['https://letsencrypt.org.evil.example', 'https://letsencrypt.org.evil.example/'],
  ['https://xn--bcher-kva.example/ü?q=1#f', 'https://xn--bcher-kva.example/%C3%BC?q=1#f'],
  ['http://x', null],
  ['file:///etc/passwd', null],
  ['javascript:alert(1)', null],
  ['JAVASCRIPT:alert(1)', null],
  ['ms-settings:', null],
  ['smb://host/share', null],
  ['data:text/html,<script>alert(1)</script>', null],
  ['vbscript:msgbox(1)', null],
  ['https://user@letsencrypt.org@evil.example', null],
  ['https://user:secret@letsencrypt.org/', null],
  ['https://:secret@letsencrypt.org/', null],
  [' https://x', null],
  ['https://x ', null],
  ['https://x\n', null],
  ['https://\tx', null],
  ['https://le\u0000tsencrypt.org', null],
  ['https:', null],
  ['https://', null],
  ['//letsencrypt.org', null],
  ['letsencrypt.org', null],
  ['', null],
  [LONG, null],
];

describe('links to the system browser (RELIABILITY E5)', () => {
  for (const [input, expected] of EXTERNAL) {
    const label = input.length > 60 ? `a ${input.length}-character URL` : JSON.stringify(input);
    it(`${expected ? 'accepts' : 'refuses'} ${label}`, () => {
      expect(safeExternalUrl(input)).toBe(expected);
      expect(isSafeExternalUrl(input)).toBe(expected !== null);
    });
  }

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['https://x'], new URL('https://x')]) {
      expect(isSafeExternalUrl(value)).toBe(false);
    }
  });

  it('hands the shell only the parsed https URL and never calls it for anything else', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const results = [];
    for (const [input] of EXTERNAL) results.push(await openExternalSafely(shell, input));
    const accepted = EXTERNAL.filter(([, out]) => out !== null);
    expect(results).toEqual(EXTERNAL.map(([, out]) => out !== null));
    expect(shell.openExternal.mock.calls).toEqual(accepted.map(([, out]) => [out]));
  });

  it('answers false when the system has no browser to open the link', async () => {
    const shell = { openExternal: vi.fn(async () => Promise.reject(new Error('no handler'))) };
    expect(await openExternalSafely(shell, 'https://letsencrypt.org/')).toBe(false);
  });
});

/** Emits a navigation event the way Electron 45 does: an Event carrying the target url. */
function navigate(contents: FakeWebContents, kind: string, url: string): boolean {
  const event = { url, preventDefault: vi.fn() };
  contents.emit(kind, event, url);
  return event.preventDefault.mock.calls.length > 0;
}

describe('navigation guards (RELIABILITY E1, E5)', () => {
  const KINDS = ['will-navigate', 'will-frame-navigate', 'will-redirect'];
  const AWAY = [
    'https://evil.example/',
    'https://letsencrypt.org/docs/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app://certdesk.evil.example/index.html',
    'app://evil/index.html',
    'app://certdesk:1/index.html',
    'app://x@certdesk/index.html',
    'about:blank',
    'not a url',
  ];

  for (const kind of KINDS) {
    it(`cancels ${kind} to anywhere but app://certdesk`, () => {
      const contents = new FakeWebContents();
      guardWebContents(asWebContents(contents));
      for (const url of AWAY) expect(navigate(contents, kind, url), url).toBe(true);
      expect(navigate(contents, kind, 'app://certdesk/index.html')).toBe(false);
    });
  }

  it('denies every window.open, whatever the URL', () => {
    const contents = new FakeWebContents();
    guardWebContents(asWebContents(contents));
    const handler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as (d: unknown) => unknown;
    for (const url of ['https://example.com', 'app://certdesk/index.html', 'about:blank']) {
      expect(handler({ url, frameName: '', features: '', disposition: 'new-window' })).toEqual({
        action: 'deny',
      });
    }
  });

  it('cancels attaching a webview', () => {
    const contents = new FakeWebContents();
    guardWebContents(asWebContents(contents));
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalledTimes(1);
  });

  it('guards every web contents the app creates', () => {
    const app = new FakeApp();
    installNavigationGuards(app.asApp());
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalledTimes(1);
    for (const kind of [
      'will-navigate',
      'will-frame-navigate',
      'will-redirect',
      'will-attach-webview',
    ]) {
      expect(contents.count(kind), kind).toBe(1);
    }
  });
});

describe('permissions', () => {
  function handlers() {
    const session = {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
    };
    installPermissionHandlers(session as unknown as Session);
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      ...args: unknown[]
    ) => void;
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (
      ...args: unknown[]
    ) => boolean;
    const ask = (permission: string, requestingUrl: string) => {
      const callback = vi.fn();
      request({}, permission, callback, { requestingUrl, isMainFrame: true });
      return callback.mock.calls;
    };
    return { ask, check };
  }

  const DENIED = [
    'media',
    'notifications',
    'openExternal',
    'clipboard-read',
    'geolocation',
    'unknown',
  ];

  it('denies every permission request except clipboard writing from our pages', () => {
    const { ask } = handlers();
    for (const permission of DENIED) {
      expect(ask(permission, 'app://certdesk/index.html'), permission).toEqual([[false]]);
    }
    expect(ask('clipboard-sanitized-write', 'app://certdesk/index.html')).toEqual([[true]]);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toEqual([[false]]);
  });

  it('answers permission checks the same way', () => {
    const { check } = handlers();
    for (const permission of DENIED)
      expect(check({}, permission, 'app://certdesk', {})).toBe(false);
    expect(check({}, 'clipboard-sanitized-write', 'app://certdesk', {})).toBe(true);
    expect(check({}, 'clipboard-sanitized-write', 'app://certdesk.evil.example', {})).toBe(false);
  });
});
