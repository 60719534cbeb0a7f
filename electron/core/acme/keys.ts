/**
 * Private keys for certificates and ACME accounts, made with node:crypto in the main process.
 * Keys travel as PKCS#8 PEM strings between this module, the keychain and acme-client; nothing
 * here logs, stores or throws key material.
 */
import {
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { KEY_TYPE_LABELS, KEY_TYPES, type KeyType } from '../../../shared/types.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/** ACME account keys are always ECDSA P-256 (ES256 is the one JWS algorithm every CA accepts). */
export const ACCOUNT_KEY_TYPE: KeyType = 'ecdsa-p256';

/**
 * Largest PKCS#8 PEM, in bytes, that each key type produces: the largest seen in repeated
 * generation plus 8 bytes, because RSA integers vary by a byte when their top bit is set.
 * Windows Credential Manager holds 2,560 bytes per secret, so RSA 4096 (about 3,272) does not fit.
 */
export const MAX_PEM_BYTES: Readonly<Record<KeyType, number>> = {
  'ecdsa-p256': 241,
  'ecdsa-p384': 306,
  'rsa-2048': 1716,
  'rsa-3072': 2496,
  'rsa-4096': 3280,
};

/** node:crypto parameters of each key type. */
function keyParams(
  keyType: KeyType,
): { kind: 'ec'; curve: string } | { kind: 'rsa'; bits: number } {
  switch (keyType) {
    case 'ecdsa-p256':
      return { kind: 'ec', curve: 'prime256v1' };
    case 'ecdsa-p384':
      return { kind: 'ec', curve: 'secp384r1' };
    case 'rsa-2048':
      return { kind: 'rsa', bits: 2048 };
    case 'rsa-3072':
      return { kind: 'rsa', bits: 3072 };
    case 'rsa-4096':
      return { kind: 'rsa', bits: 4096 };
  }
}

function assertKeyType(keyType: KeyType): void {
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new RangeError(`Unknown key type "${String(keyType)}"`);
  }
}

/**
 * Generates a new private key of `keyType` and returns it as a PKCS#8 PEM string. Blocks the
 * event loop while it works (RSA 4096 can take a second or more); in the main process prefer
 * {@link generateKeyPemAsync}. Throws RangeError for a key type outside KEY_TYPES.
 */
export function generateKeyPem(keyType: KeyType): string {
  assertKeyType(keyType);
  const p = keyParams(keyType);
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  if (p.kind === 'ec') {
    const options = { namedCurve: p.curve, privateKeyEncoding, publicKeyEncoding };
    return generateKeyPairSync('ec', options).privateKey;
  }
  const options = { modulusLength: p.bits, privateKeyEncoding, publicKeyEncoding };
  return generateKeyPairSync('rsa', options).privateKey;
}

/** Same contract as {@link generateKeyPem}, generated on libuv's thread pool. */
export async function generateKeyPemAsync(keyType: KeyType): Promise<string> {
  assertKeyType(keyType);
  const p = keyParams(keyType);
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  if (p.kind === 'ec') {
    const options = { namedCurve: p.curve, privateKeyEncoding, publicKeyEncoding };
    return (await generateKeyPairAsync('ec', options)).privateKey;
  }
  const options = { modulusLength: p.bits, privateKeyEncoding, publicKeyEncoding };
  return (await generateKeyPairAsync('rsa', options)).privateKey;
}

/**
 * True when a PEM of `keyType` always fits in a keychain secret of `maxSecretBytes` bytes
 * (e.g. 2,560 on Windows Credential Manager). Compares against {@link MAX_PEM_BYTES}.
 */
export function keyTypeFits(keyType: KeyType, maxSecretBytes: number): boolean {
  assertKeyType(keyType);
  return MAX_PEM_BYTES[keyType] <= maxSecretBytes;
}

/**
 * The sentence an administrator sees when this computer's keychain cannot hold a key of
 * `keyType`, naming the sizes and the key types that do fit; null when the key type fits.
 */
export function keyTypeRefusal(keyType: KeyType, maxSecretBytes: number): string | null {
  if (keyTypeFits(keyType, maxSecretBytes)) return null;
  const fitting = KEY_TYPES.filter((t) => keyTypeFits(t, maxSecretBytes)).map(
    (t) => KEY_TYPE_LABELS[t],
  );
  const size = MAX_PEM_BYTES[keyType].toLocaleString('en-US');
  const limit = maxSecretBytes.toLocaleString('en-US');
  const instead =
    fitting.length > 0
      ? `choose ${fitting.join(', ')} instead`
      : 'no key type Certdesk offers fits, so certificates cannot be issued on this computer';
  return `${KEY_TYPE_LABELS[keyType]} keys need up to ${size} bytes, but this computer's keychain holds at most ${limit} bytes per secret; ${instead}.`;
}

function keyObjectOf(pem: string): KeyObject {
  if (pem.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

/**
 * The public key (SPKI PEM) of a private key PEM, a public key PEM, or a certificate PEM (the
 * first certificate of a chain). Throws when the PEM cannot be parsed; the error names no key.
 */
export function publicKeyOf(pem: string): string {
  try {
    return keyObjectOf(pem).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new Error('The PEM text is not a key or certificate that Certdesk can read.');
  }
}

/**
 * True when the certificate `certPem` (first of a chain) certifies the public half of
 * `keyPem` (a private or public key PEM). Compares the DER SubjectPublicKeyInfo byte for byte.
 */
export function publicKeysEqual(certPem: string, keyPem: string): boolean {
  const der = (pem: string) => keyObjectOf(pem).export({ type: 'spki', format: 'der' });
  try {
    return der(certPem).equals(der(keyPem));
  } catch {
    return false;
  }
}
