/**
 * Reading and checking issued chains, with a root, intermediates and leaves that openssl makes
 * in the test: a good chain is described and accepted; a chain for another key, with a missing
 * or extra name, expired, or not signed by the next certificate is refused (RELIABILITY A9).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeCertificate,
  splitChain,
  verifyIssuedCertificate,
} from '../../../electron/core/acme/certificate.ts';
import { generateKeyPem } from '../../../electron/core/acme/keys.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { runOk } from '../../rig/proc.ts';

const NAMES = ['example.test', '*.example.test'];
const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';

let dir: string;
let n = 0;
let root: string;
let intermediate: string;
let otherIntermediate: string;
let leafKey: string;
let leaf: string;

const file = (name: string) => join(dir, name);

/** Issues a certificate for `keyFile` signed by `issuer` (a name made by this helper). */
async function issue(
  subject: string,
  keyFile: string,
  issuer: string,
  ext: string,
): Promise<string> {
  const id = `c${++n}`;
  await writeFile(file(`${id}.ext`), ext);
  await runOk('openssl', [
    'req',
    '-new',
    '-key',
    keyFile,
    '-subj',
    subject,
    '-out',
    file(`${id}.csr`),
  ]);
  await runOk(
    'openssl',
    ['x509', '-req', '-in', file(`${id}.csr`), '-CA', file(`${issuer}.pem`)].concat(
      [
        '-CAkey',
        file(`${issuer}.key`),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        file(`${id}.ext`),
      ],
      ['-out', file(`${id}.pem`)],
    ),
  );
  return id;
}

async function makeCa(name: string, issuer?: string): Promise<string> {
  await runOk('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    file(`${name}.key`),
  ]);
  if (!issuer) {
    await runOk(
      'openssl',
      ['req', '-x509', '-key', file(`${name}.key`), '-subj', `/CN=${name}`, '-days', '2'].concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
        '-out',
        file(`${name}.pem`),
      ]),
    );
  } else {
    const id = await issue(`/O=Certdesk Tests/CN=${name}`, file(`${name}.key`), issuer, CA_EXT);
    await writeFile(file(`${name}.pem`), await pem(id));
  }
  return pem(name);
}

const pem = (id: string) =>
  import('node:fs/promises').then((fs) => fs.readFile(file(`${id}.pem`), 'utf8'));

async function leafFor(keyPem: string, names: string[]): Promise<string> {
  const keyFile = file(`leaf${++n}.key`);
  await writeFile(keyFile, keyPem, { mode: 0o600 });
  const san = `subjectAltName=${names.map((x) => `DNS:${x}`).join(',')}\n`;
  return pem(await issue(`/CN=${names[0]}`, keyFile, 'Test Intermediate', san));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-cert-'));
  root = await makeCa('Test Root');
  intermediate = await makeCa('Test Intermediate', 'Test Root');
  otherIntermediate = await makeCa('Other Intermediate', 'Test Root');
  leafKey = generateKeyPem('ecdsa-p256');
  leaf = await leafFor(leafKey, NAMES);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function refusal(run: () => unknown): CertdeskError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CertdeskError);
    return e as CertdeskError;
  }
  throw new Error('expected a refusal');
}

async function opensslField(certPem: string, ...args: string[]): Promise<string> {
  const f = file(`probe${++n}.pem`);
  await writeFile(f, certPem);
  return (await runOk('openssl', ['x509', '-in', f, '-noout', ...args])).trim();
}

describe('describeCertificate', () => {
  it('reads serial, issuer, validity, fingerprint, CN and names as openssl does', async () => {
    const d = describeCertificate(leaf + intermediate);
    const serial = (await opensslField(leaf, '-serial')).replace('serial=', '');
    const fingerprint = (await opensslField(leaf, '-fingerprint', '-sha256')).split('=')[1];
    const end = (await opensslField(leaf, '-enddate')).replace('notAfter=', '');
    expect(d.serial).toBe(serial.toUpperCase());
    expect(d.serial).toMatch(/^[0-9A-F]+$/);
    expect(d.fingerprintSha256).toBe(fingerprint);
    expect(d.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(d.issuer).toBe('Test Intermediate');
    expect(d.notAfter).toBe(new Date(end).toISOString());
    expect(Date.parse(d.notBefore)).toBeLessThan(Date.parse(d.notAfter));
    expect(d.commonName).toBe('example.test');
    expect(d.names).toEqual(['example.test', '*.example.test']);
    expect(d.leafPem).toBe(splitChain(leaf)[0]);
  });

  it('refuses text without a certificate', () => {
    expect(refusal(() => describeCertificate('no PEM here')).code).toBe('certificate-mismatch');
  });
});

describe('verifyIssuedCertificate', () => {
  const now = () => new Date();

  it('accepts the right key, names and chain, whatever the order or case of the names', () => {
    const chainPem = leaf + intermediate + root;
    const identifiers = ['*.EXAMPLE.test', 'example.test'];
    const d = verifyIssuedCertificate({ chainPem, keyPem: leafKey, identifiers, now: now() });
    expect(d.commonName).toBe('example.test');
  });

  it('refuses a certificate for another key', () => {
    const e = refusal(() =>
      verifyIssuedCertificate({
        chainPem: leaf + intermediate,
        keyPem: generateKeyPem('ecdsa-p256'),
        identifiers: NAMES,
        now: now(),
      }),
    );
    expect(e.code).toBe('certificate-mismatch');
    expect(e.message).toContain('does not certify the key');
    expect(e.step).toBe('downloading');
  });

  it('refuses a certificate missing a requested name, naming it', () => {
    const identifiers = [...NAMES, 'www.example.test'];
    const e = refusal(() =>
      verifyIssuedCertificate({
        chainPem: leaf + intermediate,
        keyPem: leafKey,
        identifiers,
        now: now(),
      }),
    );
    expect(e.code).toBe('certificate-mismatch');
    expect(e.message).toContain('it lacks www.example.test');
    expect(e.identifier).toBe('www.example.test');
  });

  it('refuses a certificate naming more than was ordered', () => {
    const e = refusal(() =>
      verifyIssuedCertificate({
        chainPem: leaf + intermediate,
        keyPem: leafKey,
        identifiers: ['example.test'],
        now: now(),
      }),
    );
    expect(e.message).toContain('it adds *.example.test');
  });

  it('refuses a certificate whose notAfter is not after now', () => {
    const { notAfter } = describeCertificate(leaf);
    const e = refusal(() =>
      verifyIssuedCertificate({
        chainPem: leaf + intermediate,
        keyPem: leafKey,
        identifiers: NAMES,
        now: new Date(notAfter),
      }),
    );
    expect(e.message).toContain(`expired at ${notAfter}`);
  });

  it('refuses a chain whose next certificate did not sign the leaf', () => {
    const e = refusal(() =>
      verifyIssuedCertificate({
        chainPem: leaf + otherIntermediate,
        keyPem: leafKey,
        identifiers: NAMES,
        now: now(),
      }),
    );
    expect(e.message).toContain(
      'is not signed by the next certificate in the chain (Other Intermediate)',
    );
  });

  it('refuses an intermediate the root after it did not sign', () => {
    const strangerRoot = splitChain(leaf)[0] as string;
    const e = refusal(() =>
      verifyIssuedCertificate({
        chainPem: leaf + intermediate + strangerRoot,
        keyPem: leafKey,
        identifiers: NAMES,
        now: now(),
      }),
    );
    expect(e.message).toContain('Certificate 2 of the chain is not signed');
  });

  it('refuses a leaf sent without its issuer', () => {
    const e = refusal(() =>
      verifyIssuedCertificate({ chainPem: leaf, keyPem: leafKey, identifiers: NAMES, now: now() }),
    );
    expect(e.message).toContain('without the certificate that issued it');
  });
});
