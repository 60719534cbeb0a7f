/**
 * The renderer's only way to the main process: `window.certdesk`, defined by the preload in
 * Electron and by the test host's bridge script in Chromium. This module types it and turns
 * each IpcResult into an Outcome that components can branch on without try/catch.
 */
import type { CertdeskApi, IpcError, IpcResult } from '../../../shared/contract.ts';

declare global {
  interface Window {
    /** Present once the preload (or the test host bridge) has run. */
    certdesk?: CertdeskApi;
  }
}

/** A call's result for components: the value, or the error main answered with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** True when the bridge is there; the app is mounted only then. */
export function hasBridge(): boolean {
  return typeof window.certdesk === 'object' && window.certdesk !== null;
}

/** The bridge. Throws when called before {@link hasBridge} is true, which main.ts prevents. */
export function api(): CertdeskApi {
  const bridge = window.certdesk;
  if (!bridge) throw new Error('window.certdesk is not available');
  return bridge;
}

/**
 * Awaits one call and never throws: a rejected promise (a broken transport) becomes an
 * `internal` error with a sentence the administrator can act on.
 */
export async function settle<T>(pending: Promise<IpcResult<T>>): Promise<Outcome<T>> {
  try {
    const result = await pending;
    return result.ok ? { ok: true, value: result.value } : { ok: false, error: result.error };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: {
        code: 'internal',
        message: `Certdesk could not reach its main process (${detail}); restart Certdesk.`,
      },
    };
  }
}
