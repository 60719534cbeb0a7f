/**
 * acme-dns (github.com/joohoi/acme-dns) as a challenge DNS provider: an HTTP API plus a small
 * authoritative DNS server for its own zone. `POST /register` gives one account per base
 * name, whose `fulldomain` becomes the challenge record's CNAME Value; `POST /update` sets a
 * TXT value there.
 *
 * IMPORTANT - two values per registration: acme-dns keeps exactly two TXT values per
 * subdomain and every update overwrites the older one; there is no delete. So one
 * registration serves at most two challenges at once, which is exactly a base name and its
 * wildcard (`example.com` + `*.example.com`). Certdesk registers once per base name of a
 * template, so templates with more names are fine as long as no base has more than two
 * values in flight. A third value would silently evict one the CA may still be checking, so
 * AcmeDnsProvider refuses it (acme-dns-slots-full) while two of its values are in use. After
 * issuance the last two values stay in the zone as harmless residue until the next update
 * rolls them over (RELIABILITY.md D7).
 *
 * The username and password are secrets: kept in private fields, sent only in the X-Api-User
 * and X-Api-Key headers, never put in messages, errors or logs.
 */
import type { ResolverSettings } from '../../../shared/settings.ts';
import { CertdeskError } from '../errors.ts';
import type { ChallengeDnsProvider, TxtRecordRef } from './provider.ts';
import { answerChainEnd, QType, txtValuesAt } from './query.ts';
import { DnsLookup, DnsLookupError, type NetworkOverride } from './resolve.ts';
import { canonicalName } from './wire.ts';

/** What `POST /register` returns; `username` and `password` go to the keychain. */
export interface AcmeDnsRegistration {
  username: string;
  password: string;
  /** `<subdomain>.<acme-dns zone>`: the CNAME Value of the challenge record. */
  fulldomain: string;
  subdomain: string;
}

/** Everything AcmeDnsProvider needs: the server, one registration, and where to list TXT. */
export interface AcmeDnsProviderOptions extends AcmeDnsRegistration {
  serverUrl: string;
  /** Where listTxt asks DNS; default the system resolver (then acme-dns's servers directly). */
  resolver?: ResolverSettings;
  /** Deadline per HTTP request and per DNS query attempt; default 10 000 ms. */
  timeoutMs?: number;
  network?: NetworkOverride;
}

/** acme-dns accepts only TXT values of exactly this length (a DNS-01 digest, base64url). */
export const ACME_DNS_TXT_LENGTH = 43;

/** How many TXT values one acme-dns registration holds at once. */
export const ACME_DNS_SLOTS = 2;

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Registers a new acme-dns account (`POST /register`, with `allowfrom` CIDRs when given).
 * Throws CertdeskError: acme-dns-unreachable / acme-dns-server-error (retryable),
 * acme-dns-bad-request, acme-dns-bad-response. Never retries by itself.
 */
export async function registerAcmeDns(
  serverUrl: string,
  opts: { allowFrom?: string[]; timeoutMs?: number } = {},
): Promise<AcmeDnsRegistration> {
  const body = opts.allowFrom ? { allowfrom: opts.allowFrom } : {};
  const call: CallContext = { serverUrl, step: 'registerAcmeDns' };
  if (opts.timeoutMs !== undefined) call.timeoutMs = opts.timeoutMs;
  const res = await post(call, 'register', {}, body);
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  const fields = ['username', 'password', 'fulldomain', 'subdomain'] as const;
  if (!json || fields.some((f) => typeof json[f] !== 'string' || json[f] === '')) {
    const message = `acme-dns at ${safeUrl(serverUrl)} answered the registration without the expected fields; check that the URL points at an acme-dns server.`;
    throw new CertdeskError({ code: 'acme-dns-bad-response', message, step: 'registerAcmeDns' });
  }
  const [username, password, fulldomain, subdomain] = fields.map((f) => json[f] as string);
  return {
    username: username as string,
    password: password as string,
    fulldomain: canonicalName(fulldomain as string),
    subdomain: subdomain as string,
  };
}

/**
 * Publishes DNS-01 values through one acme-dns registration (see the module comment for the
 * two-value limit). publishTxt skips the update when the value is already served, so a resumed
 * attempt cannot evict its sibling; removeTxt sends nothing (acme-dns has no delete) and only
 * frees the slot this instance counted. Use one instance per registration; not for sharing
 * between processes.
 */
export class AcmeDnsProvider implements ChallengeDnsProvider {
  /** Always 'acme-dns'. */
  readonly kind = 'acme-dns' as const;
  readonly #serverUrl: string;
  readonly #user: string;
  readonly #key: string;
  readonly #subdomain: string;
  readonly #fulldomain: string;
  readonly #timeoutMs: number;
  readonly #lookup: () => DnsLookup;
  /** Values this instance published and the engine has not removed yet, oldest first. */
  readonly #inUse: string[] = [];

  constructor(opts: AcmeDnsProviderOptions) {
    this.#serverUrl = opts.serverUrl;
    this.#user = opts.username;
    this.#key = opts.password;
    this.#subdomain = opts.subdomain;
    this.#fulldomain = canonicalName(opts.fulldomain);
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const resolver = opts.resolver ?? { kind: 'system' };
    const network = opts.network ? { network: opts.network } : {};
    this.#lookup = () => new DnsLookup({ resolver, timeoutMs: this.#timeoutMs, ...network });
  }

  /**
   * Sets `ref.value` in one of the registration's two slots (`POST /update`). ref.fqdn must
   * be the registration's fulldomain and the value 43 characters. Throws CertdeskError:
   * acme-dns-wrong-name, acme-dns-invalid-txt, acme-dns-slots-full (retryable once a
   * challenge finishes), acme-dns-unauthorized (401/403, not retryable),
   * acme-dns-unreachable / acme-dns-timeout / acme-dns-server-error (retryable).
   */
  async publishTxt(ref: TxtRecordRef): Promise<void> {
    this.#checkRef(ref);
    if (this.#inUse.includes(ref.value)) return;
    if (this.#inUse.length >= ACME_DNS_SLOTS) {
      const message = `acme-dns keeps only ${ACME_DNS_SLOTS} TXT values for ${this.#fulldomain} and both are in use by challenges still running; a third would evict one of them. Certdesk will publish it once one finishes.`;
      throw this.#error('acme-dns-slots-full', message, true);
    }
    if (!(await this.#alreadyServed(ref.value))) {
      const headers = { 'X-Api-User': this.#user, 'X-Api-Key': this.#key };
      const body = { subdomain: this.#subdomain, txt: ref.value };
      const call = {
        serverUrl: this.#serverUrl,
        step: 'publishTxt' as const,
        timeoutMs: this.#timeoutMs,
        fulldomain: this.#fulldomain,
      };
      await post(call, 'update', headers, body);
    }
    this.#inUse.push(ref.value);
  }

  /** acme-dns cannot delete: sends nothing; the value rolls over with the next two updates. */
  async removeTxt(ref: TxtRecordRef): Promise<void> {
    const i = this.#inUse.indexOf(ref.value);
    if (i >= 0) this.#inUse.splice(i, 1);
  }

  /**
   * TXT values at fqdn as DNS serves them: through the custom resolver, or straight from the
   * authoritative servers of acme-dns's zone. Throws a retryable CertdeskError
   * 'dns-lookup-failed' when no server answers.
   */
  async listTxt(fqdn: string): Promise<string[]> {
    try {
      const reply = await this.#lookup().ask(fqdn, QType.TXT);
      return txtValuesAt(reply, answerChainEnd(reply, fqdn));
    } catch (e) {
      if (!(e instanceof DnsLookupError)) throw e;
      const message = `Certdesk could not read the TXT values at ${canonicalName(fqdn)}: ${e.message}.`;
      throw new CertdeskError({ ...this.#init('dns-lookup-failed', message, true), cause: e });
    }
  }

  /** True when DNS already serves the value; false when it does not or cannot be asked. */
  async #alreadyServed(value: string): Promise<boolean> {
    return this.listTxt(this.#fulldomain).then(
      (values) => values.includes(value),
      () => false,
    );
  }

  #checkRef(ref: TxtRecordRef): void {
    if (canonicalName(ref.fqdn) !== this.#fulldomain) {
      const message = `The acme-dns registration for ${this.#fulldomain} cannot publish at ${canonicalName(ref.fqdn)}; the challenge record's CNAME must point at ${this.#fulldomain}.`;
      throw this.#error('acme-dns-wrong-name', message, false);
    }
    if (ref.value.length !== ACME_DNS_TXT_LENGTH) {
      const message = `acme-dns accepts only ${ACME_DNS_TXT_LENGTH}-character TXT values (a DNS-01 digest); this one has ${ref.value.length}.`;
      throw this.#error('acme-dns-invalid-txt', message, false);
    }
  }

  #init(code: string, message: string, retryable: boolean) {
    return { code, message, retryable, step: 'publishTxt', name: this.#fulldomain };
  }

  #error(code: string, message: string, retryable: boolean): CertdeskError {
    return new CertdeskError(this.#init(code, message, retryable));
  }
}

/** The URL without user info, query or fragment: safe to show. */
function safeUrl(serverUrl: string): string {
  try {
    const u = new URL(serverUrl);
    return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/$/, '');
  } catch {
    return 'the configured acme-dns URL';
  }
}

/** Which call this is, for wording errors: registration, or an update of `fulldomain`. */
interface CallContext {
  serverUrl: string;
  step: 'registerAcmeDns' | 'publishTxt';
  fulldomain?: string;
  timeoutMs?: number;
}

function describeCall(c: CallContext): string {
  return c.fulldomain ? `update of ${c.fulldomain}` : 'registration';
}

/** POSTs JSON to `<serverUrl>/<path>`; resolves with a 2xx response, else throws. */
async function post(
  c: CallContext,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Response> {
  const base = new URL(c.serverUrl.endsWith('/') ? c.serverUrl : `${c.serverUrl}/`);
  let res: Response;
  try {
    res = await fetch(new URL(path, base), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(c.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      // Never follow a redirect: it would carry the credentials to another address.
      redirect: 'error',
    });
  } catch (e) {
    throw networkError(c, e);
  }
  if (res.ok) return res;
  throw await httpError(c, res);
}

function networkError(c: CallContext, e: unknown): CertdeskError {
  const timedOut = e instanceof DOMException && e.name === 'TimeoutError';
  const sys = (e as { cause?: { code?: unknown } }).cause?.code;
  const reason = timedOut
    ? 'did not answer in time'
    : `could not be reached (${typeof sys === 'string' ? sys : 'network error'})`;
  const message = `acme-dns at ${safeUrl(c.serverUrl)} ${reason} during the ${describeCall(c)}. Check the URL and the network; Certdesk will try again.`;
  const code = timedOut ? 'acme-dns-timeout' : 'acme-dns-unreachable';
  const detail = String(sys ?? code);
  return new CertdeskError({ ...where(c), code, message, retryable: true, detail, cause: e });
}

/** Maps an HTTP error status; acme-dns's body is reduced to its short error keyword. */
async function httpError(c: CallContext, res: Response): Promise<CertdeskError> {
  const text = await res.text().catch(() => '');
  const keyword = /"error"\s*:\s*"([a-z_]{1,40})"/.exec(text)?.[1];
  const said = keyword ? ` (${keyword})` : '';
  const detail = `HTTP ${res.status}${said}`;
  if ((res.status === 401 || res.status === 403) && c.fulldomain) {
    const message = `acme-dns refused the credentials for ${c.fulldomain} (check allowfrom and the stored credentials).`;
    return new CertdeskError({ ...where(c), code: 'acme-dns-unauthorized', message, detail });
  }
  const retryable = res.status >= 500 || res.status === 429;
  const code = retryable ? 'acme-dns-server-error' : 'acme-dns-bad-request';
  const hint = retryable
    ? 'Certdesk will try again.'
    : 'Check the acme-dns server URL and its settings.';
  const message = `acme-dns at ${safeUrl(c.serverUrl)} answered HTTP ${res.status}${said} to the ${describeCall(c)}. ${hint}`;
  return new CertdeskError({ ...where(c), code, message, detail, retryable });
}

function where(c: CallContext): { step: string; name?: string } {
  return c.fulldomain ? { step: c.step, name: c.fulldomain } : { step: c.step };
}
