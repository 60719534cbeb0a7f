import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APP_CSP,
  createAppProtocolHandler,
  registerAppScheme,
  requestSegments,
} from '../../../electron/shell/protocol.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/protocol.ts must not load the electron module at runtime');
});

// A real folder layout: <tmp>/dist/renderer is served; secrets sit beside and above it.
let base: string;
let root: string;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'certdesk-protocol-'));
  root = join(base, 'dist', 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Certdesk</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(root, 'assets', 'font.woff2'), 'woff2');
  writeFileSync(join(root, 'assets', 'data.bin'), 'raw');
  writeFileSync(join(base, 'package.json'), '{"secret":"package"}');
  writeFileSync(join(base, 'dist', 'secret.txt'), 'outside the renderer folder');
  symlinkSync(join(base, 'dist', 'secret.txt'), join(root, 'escape.txt'));
  symlinkSync(base, join(root, 'up'));
  symlinkSync(join(root, 'assets', 'app.js'), join(root, 'alias.js'));
  handle = createAppProtocolHandler(root);
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

async function get(url: string, method = 'GET') {
  const response = await handle(new Request(url, { method }));
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('the app:// protocol serves the renderer folder only (RELIABILITY E6)', () => {
  const SERVED: [string, string, string][] = [
    ['app://certdesk/', 'text/html; charset=utf-8', '<!doctype html><title>Certdesk</title>'],
    [
      'app://certdesk/index.html',
      'text/html; charset=utf-8',
      '<!doctype html><title>Certdesk</title>',
    ],
    ['app://certdesk/assets/app.js', 'text/javascript; charset=utf-8', 'console.log("app")'],
    ['app://certdesk/assets/app.css', 'text/css; charset=utf-8', 'body{}'],
    ['app://certdesk/assets/logo.svg', 'image/svg+xml', '<svg/>'],
    ['app://certdesk/assets/font.woff2', 'font/woff2', 'woff2'],
    ['app://certdesk/assets/data.bin', 'application/octet-stream', 'raw'],
    ['app://certdesk/alias.js', 'text/javascript; charset=utf-8', 'console.log("app")'],
    [
      'app://certdesk/index.html?x=1#top',
      'text/html; charset=utf-8',
      '<!doctype html><title>Certdesk</title>',
    ],
  ];

  for (const [url, type, body] of SERVED) {
    it(`serves ${url} as ${type}`, async () => {
      const response = await get(url);
      expect(response).toMatchObject({ status: 200, body });
      expect(response.headers.get('content-type')).toBe(type);
    });
  }

  const ESCAPES = [
    'app://certdesk/../package.json',
    'app://certdesk/../../package.json',
    'app://certdesk/%2e%2e/%2e%2e/etc/passwd',
    'app://certdesk/%2e%2e%2fsecret.txt',
    'app://certdesk/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://certdesk/..%2f..%2fpackage.json',
    'app://certdesk/..%5c..%5cwindows',
    'app://certdesk/..%5c..%5cpackage.json',
    'app://certdesk//etc/passwd',
    'app://certdesk/%2fetc%2fpasswd',
    'app://certdesk/C:%5cWindows%5cwin.ini',
    'app://certdesk/C:/Windows/win.ini',
    'app://certdesk/escape.txt',
    'app://certdesk/up/package.json',
    'app://certdesk/up/dist/secret.txt',
    'app://certdesk/index.html%00.js',
    'app://certdesk/%E0%A4%A',
    'app://certdesk/assets',
    'app://certdesk/missing.js',
    'app://other/index.html',
    'app://certdesk.evil.example/index.html',
    'app://certdesk:8080/index.html',
  ];

  for (const url of ESCAPES) {
    it(`answers 404 for ${url}`, async () => {
      const response = await get(url);
      expect(response.status).toBe(404);
      expect(response.body).toBe('not found');
    });
  }

  it('answers 404 for a URL with credentials (a Request cannot carry one, so a look-alike)', async () => {
    const lookalike = { url: 'app://user@certdesk/index.html', method: 'GET' } as Request;
    expect((await handle(lookalike)).status).toBe(404);
  });

  it('refuses raw dot segments and encoded separators even if they reach the handler unnormalized', () => {
    for (const path of [
      '/../x',
      '/a/../../x',
      '/./x',
      '/%2e%2e/x',
      '/%2E%2E/x',
      '/a%2fb',
      '/a%5cb',
      '/a%00b',
      '/c:x',
      '/%E0%A4%A',
    ]) {
      expect(requestSegments(path), path).toBeNull();
    }
    expect(requestSegments('/assets/app%20name.js')).toEqual(['assets', 'app name.js']);
    expect(requestSegments('/')).toEqual([]);
  });

  it('sends the strict CSP and nosniff with every answer, found or not', async () => {
    expect(APP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    for (const url of ['app://certdesk/index.html', 'app://certdesk/escape.txt']) {
      const { headers } = await get(url);
      expect(headers.get('content-security-policy')).toBe(APP_CSP);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    expect(await get('app://certdesk/index.html', 'HEAD')).toMatchObject({ status: 200, body: '' });
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect((await get('app://certdesk/index.html', method)).status).toBe(405);
    }
  });

  it('answers 404 for everything when the renderer folder does not exist', async () => {
    const missing = createAppProtocolHandler(join(base, 'no-such-folder'));
    expect((await missing(new Request('app://certdesk/index.html'))).status).toBe(404);
  });
});

describe('the app scheme registration', () => {
  it('declares app: standard, secure and fetch-capable, and nothing more', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };
    registerAppScheme(protocol);
    expect(protocol.registerSchemesAsPrivileged.mock.calls).toEqual([
      [[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]],
    ]);
  });
});
