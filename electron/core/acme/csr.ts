/**
 * Certificate signing requests (RFC 2986) for ACME finalize (RFC 8555 §7.4), built with
 * acme-client's crypto.createCsr so the encoding is the one its finalizeOrder expects.
 */
import { crypto as acmeCrypto } from 'acme-client';
import { CertdeskError } from '../errors.ts';

/** What the CSR states. Names are A-labels as validated in shared/names.ts. */
export interface CsrSubject {
  /** Subject CN; it is also placed first among the subjectAltName entries. */
  commonName: string;
  /** Further DNS names; duplicates and a repeat of the common name are dropped. */
  altNames: string[];
  /** ISO 3166-1 alpha-2 code, encoded as PrintableString (RFC 5280 Appendix A). */
  country?: string;
  locality?: string;
  organization?: string;
}

/** The DNS names a CSR for `subject` carries, in order: the common name, then the rest. */
export function csrNames(subject: Pick<CsrSubject, 'commonName' | 'altNames'>): string[] {
  const all = [subject.commonName, ...subject.altNames].map((n) => n.trim().toLowerCase());
  return [...new Set(all)].filter((n) => n.length > 0);
}

/**
 * Builds a CSR signed with `keyPem` (PKCS#8 PEM of the certificate key, never the account key)
 * and returns it as PEM bytes, ready for AcmeSession.finalize. Subject: CN, then C, L, O when
 * given (blank ones are left out); extension request: subjectAltName with every name of
 * {@link csrNames}. Throws CertdeskError 'csr-invalid' when there is no name or the key
 * cannot sign; the message never contains the key.
 */
export async function createCsr(subject: CsrSubject, keyPem: string): Promise<Buffer> {
  const names = csrNames(subject);
  const commonName = names[0];
  if (commonName === undefined) {
    throw csrError('A certificate signing request needs at least one name.');
  }
  try {
    const [, csr] = await acmeCrypto.createCsr(
      {
        commonName,
        altNames: names.slice(),
        country: nonEmpty(subject.country),
        locality: nonEmpty(subject.locality),
        organization: nonEmpty(subject.organization),
      },
      keyPem,
    );
    return csr;
  } catch (cause) {
    throw csrError(
      `Certdesk could not build the certificate signing request for ${commonName}: the private key could not sign it. Generate a new key for the template.`,
      cause,
    );
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function csrError(message: string, cause?: unknown): CertdeskError {
  // The cause is acme-client's own error; it is kept for the log and names no key material.
  return new CertdeskError({ code: 'csr-invalid', message, step: 'finalizing', cause });
}
