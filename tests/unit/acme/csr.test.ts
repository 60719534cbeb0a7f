/**
 * The CSR Certdesk sends at finalize, parsed back by OpenSSL (`openssl req -verify -text`): the
 * signature verifies, the subject carries C, L, O and CN as given, and subjectAltName holds
 * exactly the requested names with the common name first (RELIABILITY I2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, csrNames } from '../../../electron/core/acme/csr.ts';
import { generateKeyPem, publicKeyOf } from '../../../electron/core/acme/keys.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import type { KeyType } from '../../../shared/types.ts';
import { run } from '../../rig/proc.ts';

let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-csr-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** OpenSSL's view of a CSR: its text, whether the self-signature verified, its public key. */
async function openssl(csr: Buffer) {
  const f = join(dir, `r${++n}.csr`);
  await writeFile(f, csr);
  const text = await run('openssl', ['req', '-in', f, '-verify', '-text', '-noout']);
  const pub = await run('openssl', ['req', '-in', f, '-pubkey', '-noout']);
  const subject = /Subject: (.*)/.exec(text.stdout)?.[1]?.trim();
  const san = /X509v3 Subject Alternative Name:\s*\n\s*(.*)/.exec(text.stdout)?.[1]?.trim();
  return {
    code: text.code,
    verified: /verify OK/.test(text.stdout + text.stderr),
    subject,
    san,
    pub: pub.stdout,
  };
}

describe.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as KeyType[])(
  'createCsr with %s',
  (keyType) => {
    const keyPem = generateKeyPem(keyType);

    it('carries CN, C, L, O and exactly the requested names, signed by our key', async () => {
      const csr = await createCsr(
        {
          commonName: 'example.test',
          altNames: ['*.example.test', 'xn--bcher-kva.example.test', 'EXAMPLE.test'],
          country: 'DE',
          locality: 'Berlin',
          organization: 'Example GmbH',
        },
        keyPem,
      );
      const parsed = await openssl(csr);
      expect(parsed.code).toBe(0);
      expect(parsed.verified).toBe(true);
      expect(parsed.subject).toBe('CN = example.test, C = DE, L = Berlin, O = Example GmbH');
      expect(parsed.san).toBe(
        'DNS:example.test, DNS:*.example.test, DNS:xn--bcher-kva.example.test',
      );
      expect(parsed.pub).toBe(publicKeyOf(keyPem));
    });

    it('leaves out the optional subject fields when they are not given or blank', async () => {
      const csr = await createCsr(
        { commonName: 'www.example.test', altNames: [], locality: '  ' },
        keyPem,
      );
      const parsed = await openssl(csr);
      expect(parsed.verified).toBe(true);
      expect(parsed.subject).toBe('CN = www.example.test');
      expect(parsed.san).toBe('DNS:www.example.test');
    });
  },
);

describe('csrNames', () => {
  it('puts the common name first, lower-cases and drops repeats', () => {
    expect(
      csrNames({ commonName: 'A.example.test', altNames: ['b.example.test', 'a.EXAMPLE.test'] }),
    ).toEqual(['a.example.test', 'b.example.test']);
  });
});

describe('createCsr refusals', () => {
  it('refuses a request without any name', async () => {
    const refused = await createCsr(
      { commonName: ' ', altNames: [] },
      generateKeyPem('ecdsa-p256'),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CertdeskError);
    expect((refused as CertdeskError).code).toBe('csr-invalid');
  });

  it('refuses a key it cannot sign with, without quoting the key', async () => {
    const broken =
      '-----BEGIN PRIVATE KEY-----\nTUFSS0VSLW5vdC1hLWtleQ==\n-----END PRIVATE KEY-----\n';
    const refused = await createCsr({ commonName: 'example.test', altNames: [] }, broken).catch(
      (e: unknown) => e,
    );
    expect((refused as CertdeskError).code).toBe('csr-invalid');
    expect((refused as CertdeskError).message).not.toContain('TUFSS0VS');
  });
});
