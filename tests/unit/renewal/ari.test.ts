/**
 * The ARI certificate identifier (RFC 9773 §4.1): Let's Encrypt's worked example from raw bytes,
 * the same example rebuilt as a real certificate by openssl (an issuer whose Subject Key
 * Identifier is the example's AKI, serial 0x87654321), other certificates checked against what
 * openssl itself prints, and certificates it cannot name.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariCertId, encodeCertId } from '../../../electron/core/renewal/ari.ts';
import { certIdFields } from '../../../electron/core/renewal/der.ts';
import { runOk } from '../../rig/proc.ts';

/** Let's Encrypt's worked example (RELIABILITY.md §2, RFC 9773 §4.1). */
const EXAMPLE_AKI = '69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4';
const EXAMPLE_SERIAL = '00:87:65:43:21';
const EXAMPLE_CERT_ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

const bytes = (hex: string) => Buffer.from(hex.replaceAll(':', ''), 'hex');
const b64url = (hex: string) => bytes(hex).toString('base64url');

let dir: string;
let caPem: string;

/** Signs a leaf with the example CA; `ext` is the leaf's extension config, `serial` in hex. */
async function leaf(name: string, serial: string | undefined, ext: string): Promise<string> {
  const f = (s: string) => join(dir, `${name}.${s}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await runOk('openssl', [
    'req',
    ...ec,
    '-subj',
    `/CN=${name}`,
    '-keyout',
    f('key'),
    '-out',
    f('csr'),
  ]);
  await writeFile(f('ext'), ext);
  const sign = [
    'x509',
    '-req',
    '-in',
    f('csr'),
    '-CA',
    join(dir, 'ca.pem'),
    '-CAkey',
    join(dir, 'ca.key'),
  ];
  const serialArgs = serial
    ? ['-set_serial', `0x${serial}`]
    : ['-CAcreateserial', '-CAserial', join(dir, 'srl')];
  await runOk('openssl', [
    ...sign,
    ...serialArgs,
    '-days',
    '1',
    '-extfile',
    f('ext'),
    '-out',
    f('pem'),
  ]);
  return readFile(f('pem'), 'utf8');
}

/** What openssl prints for a certificate: serial (hex) and AKI keyid (colon hex). */
async function opensslView(pem: string): Promise<{ serial: string; aki: string }> {
  const path = join(dir, 'view.pem');
  await writeFile(path, pem);
  const serial = (await runOk('openssl', ['x509', '-in', path, '-noout', '-serial'])).trim();
  const ext = await runOk('openssl', [
    'x509',
    '-in',
    path,
    '-noout',
    '-ext',
    'authorityKeyIdentifier',
  ]);
  return { serial: serial.replace('serial=', ''), aki: (ext.split('\n')[1] ?? '').trim() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-ari-unit-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = [
    '-addext',
    `subjectKeyIdentifier=${EXAMPLE_AKI}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ];
  const out = ['-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem')];
  await runOk('openssl', [
    'req',
    '-x509',
    ...ec,
    ...ca,
    '-days',
    '2',
    '-subj',
    '/CN=ARI example CA',
    ...out,
  ]);
  caPem = await readFile(join(dir, 'ca.pem'), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('encodeCertId', () => {
  it("gives Let's Encrypt's worked example from the AKI and serial bytes", () => {
    expect(encodeCertId(bytes(EXAMPLE_AKI), bytes(EXAMPLE_SERIAL))).toBe(EXAMPLE_CERT_ID);
  });

  it('uses base64url without padding, keeping a serial leading zero byte', () => {
    expect(encodeCertId(bytes('FB:FF'), bytes('00:FF'))).toBe('-_8.AP8');
  });
});

describe('ariCertId of certificates made by openssl', () => {
  it('gives the worked example for a leaf with that AKI and serial 0x87654321', async () => {
    const pem = await leaf('example', '87654321', 'authorityKeyIdentifier=keyid:always\n');
    expect(ariCertId(pem)).toBe(EXAMPLE_CERT_ID);
    expect(new X509Certificate(pem).serialNumber.toUpperCase()).toBe('87654321');
  });

  it('reads an Authority Key Identifier marked critical the same way', async () => {
    const pem = await leaf(
      'critical',
      '87654321',
      'authorityKeyIdentifier=critical,keyid:always\n',
    );
    expect(ariCertId(pem)).toBe(EXAMPLE_CERT_ID);
  });

  it('names the leaf of a chain given leaf first', async () => {
    const pem = await leaf('chained', '87654321', 'authorityKeyIdentifier=keyid:always\n');
    expect(ariCertId(pem + caPem)).toBe(EXAMPLE_CERT_ID);
  });

  it.each([
    { label: 'a short serial with the high bit clear', serial: '1234' },
    { label: 'openssl’s own 20-byte random serial', serial: undefined },
  ])('agrees with what openssl prints for $label', async ({ serial }) => {
    const pem = await leaf(`s${serial ?? 'random'}`, serial, 'basicConstraints=CA:FALSE\n');
    const view = await opensslView(pem);
    const hex = view.serial.length % 2 ? `0${view.serial}` : view.serial;
    const der = (parseInt(hex.slice(0, 2), 16) & 0x80 ? '00' : '') + hex;
    expect(view.aki).toBe(EXAMPLE_AKI);
    expect(ariCertId(pem)).toBe(`${b64url(view.aki)}.${b64url(der)}`);
  });

  it.each([
    {
      label: 'no Authority Key Identifier',
      ext: 'authorityKeyIdentifier=none\nsubjectKeyIdentifier=none\n',
    },
    {
      label: 'an AKI naming the issuer without a keyIdentifier',
      ext: 'authorityKeyIdentifier=issuer:always\n',
    },
  ])('refuses a certificate with $label as ari-cert-id-unavailable', async ({ label, ext }) => {
    const pem = await leaf(label.split(' ')[1] as string, '05', ext);
    expect(() => ariCertId(pem)).toThrow(
      expect.objectContaining({
        code: 'ari-cert-id-unavailable',
        message: expect.stringContaining('Authority Key Identifier'),
      }),
    );
  });

  it('refuses text that is no certificate as ari-cert-id-unavailable', () => {
    expect(() =>
      ariCertId('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).toThrow(expect.objectContaining({ code: 'ari-cert-id-unavailable' }));
  });

  it('refuses truncated DER instead of reading past its end', async () => {
    const der = new X509Certificate(
      await leaf('cut', '87654321', 'authorityKeyIdentifier=keyid:always\n'),
    ).raw;
    expect(certIdFields(der).serial).toEqual(bytes(EXAMPLE_SERIAL));
    expect(() => certIdFields(der.subarray(0, der.length - 10))).toThrow(/DER/);
  });
});
