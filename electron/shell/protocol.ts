/**
 * The `app://certdesk/` protocol: the only place the window loads pages from. It serves the
 * built renderer folder and nothing else. Every path is decoded segment by segment, resolved
 * to its real path and must stay inside that folder (RELIABILITY E6); anything else is a 404.
 * Every answer carries the strict CSP, so no inline script and no remote origin ever runs.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import type { Protocol } from 'electron';

/** The scheme of our pages. */
export const APP_SCHEME = 'app';
/** The one host the protocol serves. */
export const APP_HOST = 'certdesk';
/** The origin of our pages, exactly as a parsed URL reports it (see {@link appOriginOf}). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the window loads first. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The policy every page gets: our own files only, no inline script, no framing, no forms. */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/**
 * The origin of a URL as `scheme://host[:port]`, or null when the text is not a URL or carries
 * credentials. Node's URL reports `null` as the origin of custom schemes, so it is built from
 * the parsed parts; callers compare the result with `===`, never with a prefix test.
 */
export function appOriginOf(text: string): string | null {
  if (typeof text !== 'string' || !URL.canParse(text)) return null;
  const url = new URL(text);
  if (url.username !== '' || url.password !== '') return null;
  return url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`;
}

/** True when the URL is one of our pages: parsed origin exactly {@link APP_ORIGIN}. */
export function isAppUrl(text: string): boolean {
  return appOriginOf(text) === APP_ORIGIN;
}

/**
 * Declares `app:` a standard, secure scheme with fetch support. Electron accepts this only
 * before the app is ready, so main calls it first thing.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** The headers of every answer, including errors. */
function baseHeaders(contentType: string): Headers {
  return new Headers({
    'Content-Type': contentType,
    'Content-Security-Policy': APP_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
}

function answer(status: number, text: string): Response {
  return new Response(text, { status, headers: baseHeaders('text/plain; charset=utf-8') });
}

/**
 * The path segments a request names, decoded, or null when any segment could step outside the
 * folder or name another drive: `.`, `..`, separators (also encoded ones such as `%2f` and
 * `%5c`), NUL, or a colon.
 */
export function requestSegments(pathname: string): string[] | null {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[/\\\0:]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/** The real path of the file to serve, or null when it is missing or outside the root. */
async function resolveInside(rootReal: string, segments: string[]): Promise<string | null> {
  const wanted = segments.length === 0 ? ['index.html'] : segments;
  try {
    const real = await realpath(join(rootReal, ...wanted));
    const rel = relative(rootReal, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

/**
 * Creates the handler for `protocol.handle('app', …)`. It answers GET and HEAD for host
 * `certdesk` from files under `rootDir` (the built renderer), with the content type taken
 * from the extension. Escapes, other hosts and missing files are 404; other methods 405.
 */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!isAppUrl(request.url)) return answer(404, 'not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return answer(405, 'method not allowed');
    }
    const segments = requestSegments(new URL(request.url).pathname);
    if (!segments) return answer(404, 'not found');
    const rootReal = await realpath(rootDir).catch(() => null);
    const file = rootReal === null ? null : await resolveInside(rootReal, segments);
    if (!file) return answer(404, 'not found');
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const body = request.method === 'HEAD' ? null : await readFile(file).catch(() => null);
    if (body === null && request.method !== 'HEAD') return answer(404, 'not found');
    return new Response(body, { status: 200, headers: baseHeaders(type) });
  };
}
