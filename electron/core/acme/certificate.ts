/**
 * Reading and checking an issued certificate chain with node:crypto's X509Certificate. An
 * issued chain is checked before it is stored or deployed (RELIABILITY A9, after cert-manager's
 * issuing controller): right key, right names, not expired, and each certificate signed by the
 * next one in the chain.
 */
import { X509Certificate } from 'node:crypto';
import { CertdeskError } from '../errors.ts';
import { publicKeysEqual } from './keys.ts';

/** The facts of an issued certificate that Certdesk stores and shows; no key material. */
export interface CertificateDescription {
  /** Serial number in hex, upper case, no colons (leading zeros as the CA encoded them). */
  serial: string;
  /** The issuer's common name, or its full distinguished name when it has none. */
  issuer: string;
  /** Start of validity, ISO 8601 UTC. */
  notBefore: string;
  /** End of validity, ISO 8601 UTC. */
  notAfter: string;
  /** SHA-256 of the leaf's DER, colon-separated upper-case hex. */
  fingerprintSha256: string;
  /** Subject CN; absent when the certificate has none (Let's Encrypt's newer profiles omit it). */
  commonName?: string;
  /** subjectAltName dNSName entries as the certificate holds them (A-labels), lower case. */
  names: string[];
  /** The leaf certificate alone, PEM. */
  leafPem: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits a PEM chain into its certificates, leaf first. Throws when it holds none. */
export function splitChain(chainPem: string): string[] {
  const certs = chainPem.match(PEM_CERT) ?? [];
  if (certs.length === 0) throw mismatch('The CA returned no PEM certificate.');
  return certs.map((c) => `${c}\n`);
}

/** Reads the value of one attribute (e.g. CN) from Node's newline-separated DN text. */
function dnAttribute(dn: string, attribute: string): string | undefined {
  for (const line of dn.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq) === attribute) return line.slice(eq + 1);
  }
  return undefined;
}

/** dNSName entries of Node's subjectAltName text ("DNS:a, DNS:b, IP Address:..."). */
function dnsNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
}

/**
 * Describes the leaf (first certificate) of `chainPem`. Throws CertdeskError
 * 'certificate-mismatch' when the text holds no readable certificate.
 */
export function describeCertificate(chainPem: string): CertificateDescription {
  const leafPem = splitChain(chainPem)[0] as string;
  const leaf = parse(leafPem);
  const commonName = dnAttribute(leaf.subject, 'CN');
  return {
    serial: leaf.serialNumber.replaceAll(':', '').toUpperCase(),
    issuer: dnAttribute(leaf.issuer, 'CN') ?? leaf.issuer.split('\n').join(', '),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    fingerprintSha256: leaf.fingerprint256.toUpperCase(),
    ...(commonName === undefined ? {} : { commonName }),
    names: dnsNames(leaf.subjectAltName),
    leafPem,
  };
}

/** What {@link verifyIssuedCertificate} checks the chain against. */
export interface IssuedCertificateCheck {
  /** The chain as downloaded: leaf first, then its issuers. */
  chainPem: string;
  /** The certificate's private key (PKCS#8 PEM) the CSR was signed with. */
  keyPem: string;
  /** The identifiers the order asked for (A-labels, wildcards as `*.base`). */
  identifiers: string[];
  now: Date;
}

/**
 * Accepts an issued chain only when the leaf certifies our key, its dNSName set equals the
 * requested identifiers (case-insensitive, order ignored), its notAfter lies after `now`, and
 * every certificate is signed by (and names as issuer) the next one. The chain must hold at
 * least the leaf and its issuer. Returns the leaf's description; throws CertdeskError
 * 'certificate-mismatch' (step 'downloading', retryable with backoff through a new order) naming
 * the first check that failed. Messages carry names and dates, never key material.
 */
export function verifyIssuedCertificate(check: IssuedCertificateCheck): CertificateDescription {
  const certs = splitChain(check.chainPem);
  const description = describeCertificate(check.chainPem);
  const first = check.identifiers[0];
  if (!publicKeysEqual(description.leafPem, check.keyPem)) {
    throw mismatch('The issued certificate does not certify the key Certdesk generated.', first);
  }
  checkNames(description.names, check.identifiers);
  if (Date.parse(description.notAfter) <= check.now.getTime()) {
    throw mismatch(`The issued certificate expired at ${description.notAfter}.`, first);
  }
  checkSignatures(certs.map(parse), first);
  return description;
}

function checkNames(found: string[], requested: string[]): void {
  const want = new Set(requested.map((n) => n.toLowerCase()));
  const got = new Set(found);
  const missing = [...want].filter((n) => !got.has(n));
  const extra = [...got].filter((n) => !want.has(n));
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [];
  if (missing.length > 0) parts.push(`it lacks ${missing.join(', ')}`);
  if (extra.length > 0) parts.push(`it adds ${extra.join(', ')}`);
  const message = `The issued certificate does not name exactly what was ordered: ${parts.join(' and ')}.`;
  throw mismatch(message, missing[0] ?? extra[0]);
}

function checkSignatures(chain: X509Certificate[], name: string | undefined): void {
  if (chain.length < 2) {
    throw mismatch('The CA returned the certificate without the certificate that issued it.', name);
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      const who = i === 0 ? 'The issued certificate' : `Certificate ${i + 1} of the chain`;
      const by = dnAttribute(issuer.subject, 'CN') ?? issuer.subject.split('\n').join(', ');
      throw mismatch(`${who} is not signed by the next certificate in the chain (${by}).`, name);
    }
  }
}

function parse(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    throw mismatch('The CA returned a certificate Certdesk cannot read.', undefined, cause);
  }
}

function mismatch(what: string, name?: string, cause?: unknown): CertdeskError {
  return new CertdeskError({
    code: 'certificate-mismatch',
    message: `${what} Certdesk did not store it and places a new order at the next attempt; if this repeats, check the CA directory URL in Settings.`,
    step: 'downloading',
    name,
    // A wrong certificate is the CA's fault or a tampered answer: back off and order again.
    retryable: true,
    cause,
  });
}
