/**
 * Key generation for every key type, the keychain size limit (RSA 4096 does not fit Windows
 * Credential Manager's 2,560 bytes), and comparing a certificate's key with ours, using
 * certificates openssl makes from our keys.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateKeyPem,
  generateKeyPemAsync,
  keyTypeFits,
  keyTypeRefusal,
  MAX_PEM_BYTES,
  publicKeyOf,
  publicKeysEqual,
} from '../../../electron/core/acme/keys.ts';
import { KEY_TYPES, type KeyType } from '../../../shared/types.ts';
import { runOk } from '../../rig/proc.ts';

const WINDOWS_LIMIT = 2560;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-keys-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A self-signed certificate for `keyPem`, made by openssl. */
async function selfSigned(keyPem: string): Promise<string> {
  const keyFile = join(dir, `k${Math.random().toString(36).slice(2)}.pem`);
  await writeFile(keyFile, keyPem, { mode: 0o600 });
  return runOk('openssl', [
    'req',
    '-x509',
    '-key',
    keyFile,
    '-subj',
    '/CN=k.example.test',
    '-days',
    '1',
  ]);
}

const EXPECTED: Record<KeyType, { type: string; curve?: string; bits?: number }> = {
  'ecdsa-p256': { type: 'ec', curve: 'prime256v1' },
  'ecdsa-p384': { type: 'ec', curve: 'secp384r1' },
  'rsa-2048': { type: 'rsa', bits: 2048 },
  'rsa-3072': { type: 'rsa', bits: 3072 },
  'rsa-4096': { type: 'rsa', bits: 4096 },
};

describe.each(KEY_TYPES)('key type %s', (keyType) => {
  it('generates a PKCS#8 PEM of that algorithm and size, within the documented bound', async () => {
    for (const pem of [generateKeyPem(keyType), await generateKeyPemAsync(keyType)]) {
      expect(pem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
      const key = createPrivateKey(pem);
      const details = key.asymmetricKeyDetails;
      expect(key.asymmetricKeyType).toBe(EXPECTED[keyType].type);
      if (EXPECTED[keyType].curve) expect(details?.namedCurve).toBe(EXPECTED[keyType].curve);
      if (EXPECTED[keyType].bits) expect(details?.modulusLength).toBe(EXPECTED[keyType].bits);
      expect(Buffer.byteLength(pem)).toBeLessThanOrEqual(MAX_PEM_BYTES[keyType]);
    }
  });

  it('recognizes a certificate for the key, and not one for another key of the same type', async () => {
    const pem = generateKeyPem(keyType);
    const cert = await selfSigned(pem);
    expect(publicKeysEqual(cert, pem)).toBe(true);
    expect(publicKeysEqual(cert, publicKeyOf(pem))).toBe(true);
    expect(publicKeysEqual(cert, generateKeyPem(keyType))).toBe(false);
    expect(publicKeyOf(cert)).toBe(publicKeyOf(pem));
  });
});

describe('keychain size limits', () => {
  it('refuses RSA 4096 where a secret holds 2,560 bytes, with a sentence naming what fits', () => {
    expect(keyTypeFits('rsa-4096', WINDOWS_LIMIT)).toBe(false);
    const sentence = keyTypeRefusal('rsa-4096', WINDOWS_LIMIT);
    expect(sentence).toBe(
      "RSA 4096 keys need up to 3,280 bytes, but this computer's keychain holds at most 2,560 bytes per secret; choose ECDSA P-256, ECDSA P-384, RSA 2048, RSA 3072 instead.",
    );
  });

  it.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072'] as const)(
    'lets %s through at 2,560 bytes',
    (keyType) => {
      expect(keyTypeFits(keyType, WINDOWS_LIMIT)).toBe(true);
      expect(keyTypeRefusal(keyType, WINDOWS_LIMIT)).toBeNull();
    },
  );

  it('lets every key type through where secrets are large (libsecret, macOS Keychain)', () => {
    for (const keyType of KEY_TYPES) expect(keyTypeRefusal(keyType, 64 * 1024)).toBeNull();
  });

  it('says so when no key type fits at all', () => {
    expect(keyTypeRefusal('ecdsa-p256', 100)).toContain('no key type Certdesk offers fits');
  });
});

describe('publicKeyOf', () => {
  it('returns the SPKI PEM of a private key', () => {
    const pem = generateKeyPem('ecdsa-p256');
    const spki = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
    expect(publicKeyOf(pem)).toBe(spki);
  });

  it('refuses text that is not a key, without echoing it', () => {
    const text = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWxvb2tpbmctdGV4dA==\n';
    const thrown = (() => {
      try {
        publicKeyOf(text);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(thrown?.message).toMatch(/not a key or certificate/);
    expect(thrown?.message).not.toContain('c2VjcmV0');
  });
});
