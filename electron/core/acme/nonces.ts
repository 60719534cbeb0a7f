/**
 * Replay nonces (RFC 8555 §7.2) kept from the CA's answers, so a signed request does not have
 * to ask newNonce first.
 *
 * acme-client asks newNonce (HEAD) before every signed request. That costs a round trip per
 * request, and a new TLS connection per request too: a HEAD answer without Content-Length
 * (Go's net/http sends none, so Pebble and Boulder alike) cannot be kept alive by Node's HTTP
 * client, so the socket is closed after every nonce. RFC 8555 §7.2 has the server put a fresh
 * Replay-Nonce on every successful POST answer for exactly this reuse; lego and certbot do it.
 *
 * Rules that keep every nonce single-use:
 * - Only nonces from successful (< 400) answers to POST are kept: acme-client itself reads the
 *   nonce of a HEAD newNonce answer (its fallback) and of a badNonce answer (its retry), never
 *   that of a successful POST, so a kept nonce is used by nobody else.
 * - take() removes the nonce it returns. JavaScript runs one callback at a time, so concurrent
 *   requests never get the same one.
 * - A CA that rejects a kept nonce (expired, server restarted) answers badNonce, and
 *   acme-client retries with the fresh nonce from that answer, as it does today.
 */
import type { Client } from 'acme-client';

/** Nonces kept per CA origin; the newest are used first. */
export const MAX_KEPT_NONCES = 16;
/** A kept nonce older than this is dropped unused: CAs expire nonces after a while. */
export const MAX_NONCE_AGE_MS = 60_000;

const NONCE = /^[A-Za-z0-9_-]{1,512}$/;
const pools = new Map<string, { nonce: string; at: number }[]>();

function originOf(url: string | undefined): string | undefined {
  return url && URL.canParse(url) ? new URL(url).origin : undefined;
}

/**
 * Keeps the Replay-Nonce of one CA answer when the rules above allow it; anything else
 * (another method, an error status, a missing or malformed header) is ignored.
 */
export function keepNonce(answer: {
  url: string | undefined;
  method: string | undefined;
  status: number;
  nonce: unknown;
}): void {
  const origin = originOf(answer.url);
  const { nonce } = answer;
  if (!origin || answer.method?.toUpperCase() !== 'POST' || answer.status >= 400) return;
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) return;
  const pool = pools.get(origin) ?? [];
  pool.push({ nonce, at: Date.now() });
  if (pool.length > MAX_KEPT_NONCES) pool.splice(0, pool.length - MAX_KEPT_NONCES);
  pools.set(origin, pool);
}

/** Removes and returns the newest usable nonce kept for `origin`, if any. */
export function takeNonce(origin: string): string | undefined {
  const pool = pools.get(origin);
  if (!pool) return undefined;
  const oldest = Date.now() - MAX_NONCE_AGE_MS;
  let entry = pool.pop();
  while (entry && entry.at < oldest) entry = pool.pop();
  if (pool.length === 0) pools.delete(origin);
  return entry?.nonce;
}

/** Forgets every kept nonce (tests; a changed CA needs none of the old ones). */
export function forgetNonces(): void {
  pools.clear();
}

interface NonceSource {
  getNonce?: () => Promise<string>;
}

/**
 * Makes `client` take kept nonces of its directory's origin before asking newNonce. Uses
 * acme-client's internal `http.getNonce` (5.x); should a later version move it, the client
 * is left as it is and simply asks newNonce every time, as before.
 */
export function useKeptNonces(client: Client, directoryUrl: string): void {
  const http = (client as unknown as { http?: NonceSource }).http;
  const origin = originOf(directoryUrl);
  if (!http || typeof http.getNonce !== 'function' || !origin) return;
  const ask = http.getNonce.bind(http);
  http.getNonce = async () => takeNonce(origin) ?? ask();
}
