/** One TXT value at one name: what a challenge DNS provider publishes and removes. */
export interface TxtRecordRef {
  /** Fully qualified owner name, e.g. `k1.validation.test` (trailing dot optional). */
  fqdn: string;
  /** The exact TXT value (a key authorization digest for DNS-01). */
  value: string;
}

/**
 * A place Certdesk can write DNS-01 TXT values: the validation zone the customer's
 * `_acme-challenge` CNAMEs point into. Implementations touch only the single value named, so
 * several orders (and a wildcard plus its base name) can share one name at once. Methods
 * throw CertdeskError; `retryable` says whether the caller may try again unchanged. No method
 * retries by itself.
 */
export interface ChallengeDnsProvider {
  /** Which kind of provider this is; decides which settings and limits apply. */
  readonly kind: 'rfc2136' | 'acme-dns';
  /** Adds one TXT value at fqdn; other values at that name stay. Idempotent. */
  publishTxt(ref: TxtRecordRef): Promise<void>;
  /** Removes exactly this TXT value; a value that is not there is a no-op, not an error. */
  removeTxt(ref: TxtRecordRef): Promise<void>;
  /** Lists the TXT values currently at fqdn, as the provider's server sees them. */
  listTxt(fqdn: string): Promise<string[]>;
}
