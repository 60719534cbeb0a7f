/**
 * Authorizations and their dns-01 challenges (RFC 8555 §7.1.4, §8.4), as the lifecycle engine
 * sees them, and the poll that waits for the CA to validate them.
 */
import type { Authorization } from 'acme-client';
import type { CertdeskError } from '../errors.ts';
import { acmeError, classifyAcmeError, AcmeCallError, problemFromDocument } from './problems.ts';

/** Authorization status (RFC 8555 §7.1.6). */
export type AuthorizationStatus =
  'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

/** Challenge status (RFC 8555 §7.1.6). */
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

/** One authorization of an order and what answering its dns-01 challenge takes. */
export interface DnsChallenge {
  /** The identifier as ordered: `*.example.com` for a wildcard authorization. */
  identifier: string;
  /** The CA's identifier value (never with `*.`), as its authorization reports it. */
  caIdentifier: { type: string; value: string };
  /** The authorization's wildcard flag: the TXT goes at the base name's `_acme-challenge`. */
  wildcard: boolean;
  authorizationUrl: string;
  /** 'valid' when the CA reuses an earlier validation: nothing to publish or answer. */
  authorizationStatus: AuthorizationStatus;
  challengeUrl: string;
  challengeStatus: ChallengeStatus;
  /** `_acme-challenge.<base>`, where the CA looks (and follows the challenge record's CNAME). */
  txtName: string;
  /**
   * The key authorization digest to publish (base64url SHA-256, §8.4); '' when the
   * authorization is already valid through a challenge other than dns-01.
   */
  txtValue: string;
}

/** The dns-01 facts of one fetched authorization; `digest` computes the TXT value. */
export async function dnsChallengeOf(
  authz: Authorization,
  digest: (challenge: Authorization['challenges'][number]) => Promise<string>,
): Promise<DnsChallenge> {
  const wildcard = authz.wildcard === true;
  const value = authz.identifier.value.toLowerCase();
  const identifier = `${wildcard ? '*.' : ''}${value}`;
  const dns = authz.challenges.find((c) => c.type === 'dns-01');
  const common = {
    identifier,
    caIdentifier: { type: authz.identifier.type, value },
    wildcard,
    authorizationUrl: authz.url,
    authorizationStatus: authz.status,
    txtName: `_acme-challenge.${value}`,
  };
  if (dns) {
    const txtValue = await digest(dns);
    return { ...common, challengeUrl: dns.url, challengeStatus: dns.status, txtValue };
  }
  if (authz.status === 'valid') {
    const url = authz.challenges[0]?.url ?? '';
    return { ...common, challengeUrl: url, challengeStatus: 'valid', txtValue: '' };
  }
  throw acmeError(
    'ca-no-dns-challenge',
    `Publishing TXT for ${identifier} failed: the CA offers no dns-01 challenge for it, and Certdesk validates names only through DNS. Choose a CA that offers dns-01 for this name.`,
    { step: 'publishing-txt', name: identifier },
  );
}

/**
 * The error for an authorization that can no longer become valid: the CA's problem from its
 * failed challenge, classified with the identifier named, or a plain sentence when the CA gave
 * none. Either way the order is spent (newOrderNeeded).
 */
export function authorizationFailure(authz: Authorization): CertdeskError {
  const identifier = `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`;
  const context = { step: 'ca-validating', name: identifier };
  const failed =
    authz.challenges.find((c) => c.type === 'dns-01' && c.error) ??
    authz.challenges.find((c) => c.error);
  const problem = problemFromDocument(failed?.error);
  if (problem) {
    const { error } = classifyAcmeError(new AcmeCallError(problem.detail, { problem }), context);
    return error;
  }
  return acmeError(
    'ca-validation-failed',
    `CA validating for ${identifier} failed: the CA marked its authorization ${authz.status} without saying why. Check the DNS Challenge Configuration; Certdesk tries again with a new order after its backoff.`,
    context,
    { newOrderNeeded: true },
  );
}

/** Options of {@link pollUntil}. */
export interface PollOptions {
  timeoutMs: number;
  /** First wait, doubled after each round up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Calls `probe` until it returns a value other than undefined; waits 50 ms after the first
 * round, doubling to 2 s. Rejects with `onTimeout()` once the next wait would pass the
 * deadline; errors from `probe` propagate.
 *
 * Why 50 ms: the first probe goes out right after the answer, and a CA that validates within
 * a few ms (Pebble does) has often not finished yet. With a first wait of 250 ms, losing that
 * race cost more than all the other steps of a certificate together on the test rig. For a
 * CA that takes a second or more, doubling from 50 ms means two extra polls (at 50 and 150 ms).
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: PollOptions,
  onTimeout: () => Error,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.firstDelayMs ?? 50;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() + delay > deadline) throw onTimeout();
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 2_000);
  }
}
