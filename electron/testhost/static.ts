/**
 * Serves the built renderer to the test host's browser, with the same CSP as the app except
 * that `connect-src` also allows this host's own WebSocket. The bridge script is injected
 * into index.html as a classic script before the app's module, so `window.certdesk` exists
 * when the renderer starts. Only files under the renderer folder are served.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StaticOptions {
  rendererDir: URL;
  bridgeFile: URL;
  port: number;
}

/** The CSP of the test host's pages. */
export function hostCsp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer | string,
  csp: string,
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  options: StaticOptions,
): Promise<void> {
  const csp = hostCsp(options.port);
  const root = fileURLToPath(options.rendererDir);
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed', csp);
    if (path === '/bridge.js') {
      return send(res, 200, TYPES['.js'] as string, await readFile(options.bridgeFile), csp);
    }
    if (path === '/' || path === '/index.html') {
      const html = await readFile(resolve(root, 'index.html'), 'utf8');
      const injected = html.replace('<script', '<script src="/bridge.js"></script>\n    <script');
      return send(res, 200, TYPES['.html'] as string, injected, csp);
    }
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep))
      return send(res, 404, 'text/plain', 'not found', csp);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    return send(res, 200, type, await readFile(file), csp);
  } catch {
    return send(res, 404, 'text/plain', 'not found', csp);
  }
}
