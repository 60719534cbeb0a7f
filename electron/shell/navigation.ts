/**
 * Keeps every web contents on our own pages (RELIABILITY E1, E5): no new windows, no
 * navigation or redirect away from `app://certdesk`, no `<webview>`, no permissions beyond
 * writing to the clipboard. Links leave the app only through {@link openExternalSafely},
 * which hands the system browser nothing but a parsed https URL without credentials.
 */
import type { App, Session, Shell, WebContents } from 'electron';
import type { Logger } from '../core/log.ts';
import { isAppUrl } from './protocol.ts';

/** Longest URL handed to the system browser; the contract allows 2,000 characters. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/** The only permission a page may get: writing copied text (the copy buttons). */
export const ALLOWED_PERMISSION = 'clipboard-sanitized-write';

/**
 * The URL to hand the system browser, normalized by the parser, or null when `text` is not an
 * https URL: other schemes, credentials, surrounding whitespace or control characters (which
 * the parser would silently strip), and anything longer than {@link MAX_EXTERNAL_URL_LENGTH}.
 */
export function safeExternalUrl(text: unknown): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_EXTERNAL_URL_LENGTH) {
    return null;
  }
  if (/[\s\p{Cc}]/u.test(text) || !URL.canParse(text)) return null;
  const url = new URL(text);
  if (url.protocol !== 'https:' || url.hostname === '') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

/** True when {@link safeExternalUrl} accepts the text. */
export function isSafeExternalUrl(text: unknown): boolean {
  return safeExternalUrl(text) !== null;
}

/**
 * Opens a safe URL in the system browser and resolves true; resolves false, without calling
 * the shell, for anything {@link safeExternalUrl} refuses, and false when the shell fails.
 */
export async function openExternalSafely(
  shell: Pick<Shell, 'openExternal'>,
  text: string,
  logger?: Logger,
): Promise<boolean> {
  const url = safeExternalUrl(text);
  if (url === null) {
    logger?.warn('refused to open a link that is not a plain https URL', { length: text.length });
    return false;
  }
  try {
    await shell.openExternal(url);
    return true;
  } catch (error) {
    logger?.warn('the system browser could not open a link', {
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}

/** The subset of WebContents the guards touch; tests pass a stand-in. */
export type GuardedContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/** Cancels a navigation unless it stays on our origin. */
function guardNavigation(logger: Logger | undefined, kind: string) {
  return (event: { url?: string; preventDefault(): void }, legacyUrl?: unknown) => {
    const url = typeof event.url === 'string' ? event.url : String(legacyUrl ?? '');
    if (isAppUrl(url)) return;
    event.preventDefault();
    logger?.warn('blocked a navigation away from Certdesk', { kind, url: url.slice(0, 200) });
  };
}

/**
 * Installs the guards on one web contents: window.open denied, navigation and redirects off
 * our origin cancelled (main frame and subframes), `<webview>` attachment cancelled.
 */
export function guardWebContents(contents: GuardedContents, logger?: Logger): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', guardNavigation(logger, 'will-navigate'));
  contents.on('will-frame-navigate', guardNavigation(logger, 'will-frame-navigate'));
  contents.on('will-redirect', guardNavigation(logger, 'will-redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger?.warn('blocked a webview');
  });
}

/** Guards every web contents the app ever creates, ours and any a page might spawn. */
export function installNavigationGuards(app: Pick<App, 'on'>, logger?: Logger): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, logger));
}

/** Decides one permission: only clipboard writing, and only for our own pages. */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string | undefined,
): boolean {
  return permission === ALLOWED_PERMISSION && isAppUrl(requestingUrl ?? '');
}

/** Installs the request and check handlers that deny every permission but clipboard writing. */
export function installPermissionHandlers(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin),
  );
}
