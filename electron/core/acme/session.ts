/**
 * One ACME account at one CA directory, and the order operations the lifecycle engine calls
 * (RFC 8555 §7). Built on acme-client's Client; every call goes through transport.ts, so a
 * failure arrives as a classified AcmeError (a CertdeskError) with the CA's problem type, HTTP
 * status, detail and Retry-After, and `newOrderNeeded` saying whether the order is spent.
 *
 * The session holds no state besides the account: orders are passed in and out as snapshots,
 * so the engine can persist a URL and resume with getOrder after a restart. Methods may run
 * concurrently (different orders, different templates). acme-client's own dns-01 check and
 * its auto() are never used: the engine checks TXT visibility itself before answering.
 */
import { createPrivateKey } from 'node:crypto';
import { Client, type Authorization, type Order } from 'acme-client';
import type { LifecycleStep } from '../../../shared/types.ts';
import type { Logger } from '../log.ts';
import {
  authorizationFailure,
  dnsChallengeOf,
  pollUntil,
  type DnsChallenge,
} from './challenges.ts';
import {
  AcmeCallError,
  acmeError,
  AcmeError,
  classifyAcmeError,
  type AcmeErrorContext,
} from './problems.ts';
import {
  snapshot,
  toOrder,
  type CreateOrderOptions,
  type OrderSnapshot,
  type OrderStatus,
} from './orders.ts';
import { useKeptNonces } from './nonces.ts';
import { runAcmeCall } from './transport.ts';

export type { AuthorizationStatus, ChallengeStatus, DnsChallenge } from './challenges.ts';
export type { CreateOrderOptions, OrderSnapshot, OrderStatus } from './orders.ts';

/** What openAcmeSession needs. Keys and the EAB HMAC key are used for signing only. */
export interface AcmeSessionOptions {
  directoryUrl: string;
  /** The account's private key, PKCS#8 PEM (ECDSA P-256); never a certificate key. */
  accountKeyPem: string;
  /** The account URL stored from an earlier session; without it the account is looked up. */
  accountUrl?: string;
  /** Contact address for the CA's expiry and policy mail; sent as `mailto:`. */
  email?: string;
  /** External Account Binding (RFC 8555 §7.3.4) for CAs that require it (ZeroSSL, Google). */
  eab?: { keyId: string; hmacKey: string };
  /** Receives acme-client's request log at debug level and the session's own lines. */
  logger: Logger;
}

const FINALIZED: ReadonlySet<OrderStatus> = new Set(['processing', 'valid']);

/** See the module comment; create one with {@link openAcmeSession}. */
export class AcmeSession {
  readonly #client: Client;
  readonly #log: Logger;

  /** Use openAcmeSession, which also makes sure the account exists. */
  constructor(client: Client, log: Logger) {
    this.#client = client;
    this.#log = log;
  }

  /** The account URL (the JWS `kid`); persist it so later sessions skip the lookup. */
  get accountUrl(): string {
    return this.#client.getAccountUrl();
  }

  async #call<T>(context: AcmeErrorContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await runAcmeCall(this.#log, fn);
    } catch (error) {
      throw classifyAcmeError(error, context).error;
    }
  }

  /**
   * Finds the account of this key (newAccount with onlyReturnExisting, RFC 8555 §7.3.1) or,
   * when the CA has none, creates it with termsOfServiceAgreed and the contact address (and
   * EAB when configured). Never creates a second account for a key that has one.
   */
  async ensureAccount(email?: string): Promise<string> {
    const context = { step: 'creating-order', accountRequest: true };
    try {
      await this.#call(context, () => this.#client.createAccount({ onlyReturnExisting: true }));
      this.#log.info('ACME account found for this key', { accountUrl: this.accountUrl });
    } catch (error) {
      if (!(error instanceof AcmeError) || error.problemType !== 'accountDoesNotExist') throw error;
      const contact = email ? [`mailto:${email}`] : undefined;
      const request = { termsOfServiceAgreed: true, ...(contact ? { contact } : {}) };
      await this.#call(context, () => this.#client.createAccount(request));
      this.#log.info('ACME account created', { accountUrl: this.accountUrl });
    }
    return this.accountUrl;
  }

  /** Creates an order for DNS `identifiers` (A-labels, `*.` for wildcards) (RFC 8555 §7.4). */
  async createOrder(
    identifiers: string[],
    options: CreateOrderOptions = {},
  ): Promise<OrderSnapshot> {
    const request = {
      identifiers: identifiers.map((value) => ({ type: 'dns', value })),
      ...(options.replaces ? { replaces: options.replaces } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    } as Parameters<Client['createOrder']>[0];
    const context = { step: 'creating-order', names: identifiers };
    const order = snapshot(await this.#call(context, () => this.#client.createOrder(request)));
    this.#log.debug('order created', { orderUrl: order.url, status: order.status });
    return order;
  }

  /** Fetches the order at `url` as it is now: resuming a stored order creates nothing new. */
  async getOrder(url: string, step: LifecycleStep = 'creating-order'): Promise<OrderSnapshot> {
    const order = await this.#call({ step }, () => this.#client.getOrder({ url } as Order));
    return snapshot(order);
  }

  async #authorization(url: string, step: LifecycleStep): Promise<Authorization> {
    const order = { authorizations: [url] } as Order;
    const [authz] = await this.#call({ step }, () => this.#client.getAuthorizations(order));
    return authz as Authorization;
  }

  /**
   * The order's authorizations with their dns-01 challenge, TXT name and TXT value, fetched
   * in parallel. Authorizations that are already valid are included with that status, so the
   * engine can skip them. Throws 'ca-no-dns-challenge' for a pending one without dns-01.
   */
  async dnsChallenges(order: OrderSnapshot): Promise<DnsChallenge[]> {
    const digest = (c: Parameters<Client['getChallengeKeyAuthorization']>[0]) =>
      this.#client.getChallengeKeyAuthorization(c);
    return Promise.all(
      order.authorizations.map(async (url) =>
        dnsChallengeOf(await this.#authorization(url, 'publishing-txt'), digest),
      ),
    );
  }

  /**
   * Tells the CA the TXT value is in place (POST {} to the challenge, §7.5.1). Call it only
   * once the value is visible, and only for a challenge whose status is 'pending'.
   */
  async answerChallenge(challenge: DnsChallenge): Promise<void> {
    const target = { type: 'dns-01', url: challenge.challengeUrl, status: 'pending', token: '' };
    const context = { step: 'ca-validating', name: challenge.identifier };
    const challengeRef = target as Parameters<Client['completeChallenge']>[0];
    await this.#call(context, () => this.#client.completeChallenge(challengeRef));
  }

  /**
   * Polls every authorization of `order` until all are valid (50 ms first, growing to 2 s).
   * A failed one throws the CA's problem for it, naming the identifier (newOrderNeeded); no
   * verdict within `timeoutMs` throws 'ca-validation-timeout' (retryable, order kept).
   */
  async waitForAuthorizationsValid(order: OrderSnapshot, o: { timeoutMs: number }): Promise<void> {
    let waiting = [...order.authorizations];
    const probe = async () => {
      const all = await Promise.all(
        waiting.map((url) => this.#authorization(url, 'ca-validating')),
      );
      const failed = all.find((a) => !['pending', 'valid'].includes(a.status));
      if (failed) throw authorizationFailure(failed);
      waiting = all.filter((a) => a.status !== 'valid').map((a) => a.url);
      this.#log.debug('authorizations polled', { orderUrl: order.url, pending: waiting.length });
      return waiting.length === 0 ? true : undefined;
    };
    const timeout = () =>
      acmeError(
        'ca-validation-timeout',
        `CA validating for ${order.identifiers.map((i) => i.value).join(', ')} did not finish within ${Math.round(o.timeoutMs / 1000)} s; Certdesk keeps the order and checks it again at the next attempt.`,
        { step: 'ca-validating' },
      );
    await pollUntil(probe, o, timeout);
  }

  /**
   * Sends the CSR (PEM or DER bytes from csr.ts) to the order's finalize URL (§7.4). An order
   * that is already processing or valid (finalized before a restart) is fetched, not sent
   * again; an orderNotReady answer is checked against the order's real status the same way.
   */
  async finalize(order: OrderSnapshot, csr: Buffer): Promise<OrderSnapshot> {
    if (FINALIZED.has(order.status)) return this.getOrder(order.url, 'finalizing');
    const context = { step: 'finalizing', names: order.identifiers.map((i) => i.value) };
    try {
      return snapshot(
        await this.#call(context, () => this.#client.finalizeOrder(toOrder(order), csr)),
      );
    } catch (error) {
      if (!(error instanceof AcmeError) || error.code !== 'ca-order-not-ready') throw error;
      const current = await this.getOrder(order.url, 'finalizing');
      if (FINALIZED.has(current.status)) return current;
      throw error;
    }
  }

  /**
   * Polls the order until it is valid (certificate issued). 'invalid' throws the CA's problem
   * (newOrderNeeded); 'pending' or 'ready' throws 'ca-order-not-ready' (finalize first);
   * no verdict within `timeoutMs` throws 'ca-validation-timeout' with the order kept.
   */
  async waitForOrderValid(order: OrderSnapshot, o: { timeoutMs: number }): Promise<OrderSnapshot> {
    const names = order.identifiers.map((i) => i.value);
    const probe = async () => {
      const current = await this.getOrder(order.url, 'finalizing');
      if (current.status === 'valid') return current;
      if (current.status === 'processing') return undefined;
      throw this.#orderStateError(current, names);
    };
    const timeout = () =>
      acmeError(
        'ca-validation-timeout',
        `Finalizing for ${names.join(', ')} did not finish within ${Math.round(o.timeoutMs / 1000)} s; Certdesk keeps the order and checks it again at the next attempt.`,
        { step: 'finalizing' },
      );
    return pollUntil(probe, o, timeout);
  }

  #orderStateError(order: OrderSnapshot, names: string[]): AcmeError {
    const context = { step: 'finalizing', names };
    if (order.status === 'invalid' && order.error) {
      return classifyAcmeError(
        new AcmeCallError(order.error.detail, { problem: order.error }),
        context,
      ).error as AcmeError;
    }
    const said = `the CA reports the order ${order.status}`;
    const code = order.status === 'invalid' ? 'ca-unexpected' : 'ca-order-not-ready';
    const message = `Finalizing for ${names.join(', ')} failed: ${said}. Certdesk ${code === 'ca-unexpected' ? 'starts a new order at the next attempt' : 'reads the order again and continues from its current state'}.`;
    return acmeError(code, message, context, { newOrderNeeded: order.status === 'invalid' });
  }

  /** Downloads the PEM chain (leaf first) of a valid order, refetching it when needed. */
  async downloadCertificate(order: OrderSnapshot): Promise<string> {
    let current = order;
    if (current.status !== 'valid' || !current.certificate) {
      current = await this.getOrder(order.url, 'downloading');
    }
    const names = current.identifiers.map((i) => i.value);
    if (current.status !== 'valid' || !current.certificate) {
      throw this.#orderStateError(current, names);
    }
    const ready = toOrder(current);
    return this.#call({ step: 'downloading', names }, () => this.#client.getCertificate(ready));
  }

  /** Deactivates a pending authorization we gave up on (§7.5.2), so it stops counting. */
  async deactivateAuthorization(url: string): Promise<void> {
    const authz = { url } as Authorization;
    await this.#call({ step: 'cleaning-up' }, () => this.#client.deactivateAuthorization(authz));
  }
}

/**
 * acme-client keeps the account key as PEM and parses it again for every signature (~0.7 ms
 * each, 14 times the cost of signing with a parsed key, and every request is signed). Its
 * internal HTTP client signs with Node's crypto.sign and derives the JWK with
 * createPublicKey, which both take a KeyObject, so it gets the parsed key once. Should a later
 * acme-client keep the key elsewhere, it is left as it is.
 */
function useParsedAccountKey(client: Client, accountKeyPem: string): void {
  const http = (client as unknown as { http?: { accountKey?: unknown } }).http;
  if (!http || !Buffer.isBuffer(http.accountKey)) return;
  http.accountKey = createPrivateKey(accountKeyPem);
}

/**
 * Opens a session: configures acme-client (transport.ts) and, when no accountUrl is given,
 * finds or creates the account (see AcmeSession.ensureAccount). With an accountUrl nothing is
 * sent until the first call. Failures throw classified AcmeErrors (step 'creating-order').
 */
export async function openAcmeSession(options: AcmeSessionOptions): Promise<AcmeSession> {
  const client = new Client({
    directoryUrl: options.directoryUrl,
    accountKey: Buffer.from(options.accountKeyPem),
    ...(options.accountUrl ? { accountUrl: options.accountUrl } : {}),
    ...(options.eab
      ? { externalAccountBinding: { kid: options.eab.keyId, hmacKey: options.eab.hmacKey } }
      : {}),
  });
  useKeptNonces(client, options.directoryUrl);
  useParsedAccountKey(client, options.accountKeyPem);
  const session = new AcmeSession(client, options.logger);
  if (!options.accountUrl) await session.ensureAccount(options.email);
  return session;
}
