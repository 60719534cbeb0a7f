/**
 * How Certdesk's ACME calls reach the network through acme-client, and how the CA's problem
 * document survives them. acme-client turns an error answer into `new Error(detail)` and a
 * network failure into a TypeError, so the full answer is read here instead: an adapter
 * wrapped around acme-client's axios instance sees every HTTP answer and network failure, and
 * records it in the AsyncLocalStorage scope of the call that made it. Each call has its own
 * scope, so concurrent calls (several templates, several authorizations) never see each
 * other's answers. The same scope routes acme-client's log lines to the caller's logger.
 *
 * acme-client's settings are process-wide; installAcmeTransport sets them once:
 * - at most {@link INLINE_RETRIES} retries of a 5xx or network failure inside one call, 1 s
 *   and 2 s apart (acme-client's default is 5 retries up to 25 s apart);
 * - no in-call retry at all when the CA asks for more than {@link MAX_INLINE_WAIT_MS}, or
 *   sends 429 without Retry-After: the call fails at once and the lifecycle engine schedules
 *   the next attempt (a Retry-After of a day must not hold a request open; RELIABILITY A5);
 * - badNonce stays with acme-client (5 immediate retries with the CA's fresh nonce, §6.5);
 * - every request times out after {@link REQUEST_TIMEOUT_MS} (axios' default is never);
 * - the Replay-Nonce of each successful POST answer is kept for the next signed request
 *   (nonces.ts), so requests do not each ask newNonce first.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { axios as acmeAxios, setLogger } from 'acme-client';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { isCertdeskError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { keepNonce } from './nonces.ts';
import {
  AcmeCallError,
  parseRetryAfter,
  problemFromAnswer,
  type AcmeProblem,
  type NetworkFailure,
} from './problem-document.ts';

/** Deadline of one HTTP request to the CA. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Retries acme-client may make inside one call for a 5xx, 429 or network failure. */
export const INLINE_RETRIES = 2;
/** Longest Retry-After acme-client may sleep through inside one call. */
export const MAX_INLINE_WAIT_MS = 5_000;

interface CallScope {
  logger: Logger;
  problem?: AcmeProblem;
  network?: NetworkFailure;
}

interface AcmeSettings {
  retryMaxAttempts: number;
  retryDefaultDelay: number;
}

type Adapter = (config: InternalAxiosRequestConfig) => Promise<AxiosResponse>;
type RetryConfig = InternalAxiosRequestConfig & { retryAttempt?: number };

const scopes = new AsyncLocalStorage<CallScope>();
let installed = false;

/** axios as acme-client resolves it (its adapter registry is not on the instance it exports). */
function httpAdapter(): Adapter {
  const fromHere = createRequire(import.meta.url);
  const fromAcme = createRequire(fromHere.resolve('acme-client'));
  const axiosLib = fromAcme('axios') as { getAdapter(name: string): Adapter };
  return axiosLib.getAdapter('http');
}

function bodyOf(data: unknown): unknown {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : data;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Records the answer in the current scope: the last answer of a call decides its problem. */
function observe(response: AxiosResponse): void {
  const scope = scopes.getStore();
  if (!scope) return;
  scope.network = undefined;
  scope.problem =
    response.status >= 400
      ? problemFromAnswer({
          status: response.status,
          headers: { ...response.headers } as Record<string, unknown>,
          data: bodyOf(response.data),
        })
      : undefined;
}

function observeNetwork(error: unknown): void {
  const scope = scopes.getStore();
  if (!scope) return;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'ENETWORK';
  scope.problem = undefined;
  scope.network = { code, message: typeof e.message === 'string' ? e.message : code };
}

/** Stops acme-client from sleeping in-call when the CA asks for a long (or no stated) wait. */
function limitInlineRetry(config: RetryConfig, response: AxiosResponse, max: number): void {
  if (response.status !== 429 && response.status < 500) return;
  const waitMs = parseRetryAfter(response.headers['retry-after']);
  const unknownRateLimit = response.status === 429 && waitMs === undefined;
  if (unknownRateLimit || (waitMs !== undefined && waitMs > MAX_INLINE_WAIT_MS)) {
    config.retryAttempt = max; // acme-client adds one and then finds the budget spent
  }
}

/**
 * Offers the answer's Replay-Nonce to the nonce pool, which keeps it only for a successful
 * POST. acme-client's request interceptor sets validateStatus to reject every status (it
 * decides on retries itself), so successful answers also arrive here as rejections.
 */
function keepNonceOf(config: InternalAxiosRequestConfig, response: AxiosResponse): void {
  const nonce = (response.headers as Record<string, unknown>)['replay-nonce'];
  keepNonce({ url: config.url, method: config.method, status: response.status, nonce });
}

/**
 * Configures acme-client's shared axios instance and logger as described above. Idempotent;
 * runAcmeCall calls it, so callers need not.
 */
export function installAcmeTransport(): void {
  if (installed) return;
  installed = true;
  const settings = (acmeAxios.defaults as unknown as { acmeSettings: AcmeSettings }).acmeSettings;
  settings.retryMaxAttempts = INLINE_RETRIES;
  settings.retryDefaultDelay = 1;
  const http = httpAdapter();
  acmeAxios.defaults.adapter = async (config: InternalAxiosRequestConfig) => {
    if (!config.timeout) config.timeout = REQUEST_TIMEOUT_MS;
    try {
      const response = await http(config);
      observe(response);
      keepNonceOf(config, response);
      return response;
    } catch (error) {
      const response = (error as { response?: AxiosResponse }).response;
      if (!response) {
        observeNetwork(error);
        throw error;
      }
      observe(response);
      keepNonceOf(config, response); // successful answers arrive here too (see keepNonceOf)
      const failed = (error as { config?: RetryConfig }).config ?? config;
      limitInlineRetry(failed, response, settings.retryMaxAttempts);
      throw error;
    }
  };
  // acme-client logs URLs, statuses and nonces, never keys; lines outside a call are dropped.
  setLogger((message) => scopes.getStore()?.logger.debug(message, { source: 'acme-client' }));
}

/**
 * Runs one acme-client call in its own scope. Resolves with its result; when it throws, throws
 * an AcmeCallError carrying the problem document (or network failure) of the call's last HTTP
 * answer, with acme-client's error as `cause`. A CertdeskError thrown inside passes unchanged.
 * Calls inside `fn` must be sequential: parallel requests in one scope share its last answer.
 */
export async function runAcmeCall<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  installAcmeTransport();
  const scope: CallScope = { logger };
  try {
    return await scopes.run(scope, fn);
  } catch (error) {
    if (isCertdeskError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const found: { problem?: AcmeProblem; network?: NetworkFailure } = {};
    if (scope.problem) found.problem = scope.problem;
    if (scope.network) found.network = scope.network;
    throw new AcmeCallError(message, found, safeCause(error));
  }
}

/**
 * acme-client's error, unless it is an axios error: those hold the request config, whose
 * `data` is the signed JWS body. A plain Error with the same code and message replaces it,
 * so nothing that logs or stores the cause chain can carry a request body or its headers.
 */
function safeCause(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('config' in error)) return error;
  const e = error as { code?: unknown; message?: unknown };
  const text = typeof e.message === 'string' ? e.message : 'request failed';
  return new Error(typeof e.code === 'string' ? `${e.code}: ${text}` : text);
}
