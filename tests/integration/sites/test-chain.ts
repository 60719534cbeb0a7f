/**
 * Throwaway certificate chains for the sites tests, made with the openssl CLI: a root, an
 * intermediate under it, and leaves under the intermediate, so a deployment has a real leaf,
 * a real chain and a real key. Leaf keys come from node:crypto as PKCS#8 PEM, the form
 * Certdesk keeps in the keychain. Nothing here is trusted anywhere.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from '../../rig/proc.ts';

/** A root and an intermediate on disk, ready to sign leaves. */
export interface TestCa {
  dir: string;
  rootPem: string;
  intermediatePem: string;
}

/** One issued leaf with its chain and key, as Certdesk stores them. */
export interface TestCertificate {
  /** Leaf then intermediate, PEM. */
  chainPem: string;
  leafPem: string;
  intermediatePem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  /** Colon-separated upper-case hex, as Certdesk stores it. */
  fingerprintSha256: string;
  serial: string;
}

// A config with no default extensions, so each certificate carries exactly the -addext ones.
const MINIMAL_CONFIG = '[req]\ndistinguished_name = dn\n[dn]\n';

let leafCount = 0;

function openssl(dir: string, args: string[]): Promise<string> {
  return runOk('openssl', ['req', '-config', join(dir, 'min.cnf'), ...args], { cwd: dir });
}

/** Makes a root and an intermediate (ECDSA P-256, valid two days) in `dir`. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'min.cnf'), MINIMAL_CONFIG);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'];
  const caExt = ['-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  await openssl(
    dir,
    ['-x509', ...ec, '-keyout', 'root.key', '-out', 'root.pem']
      .concat(['-subj', '/CN=Certdesk Sites Test Root'])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE', ...caExt]),
  );
  await openssl(
    dir,
    [...ec, '-keyout', 'int.key', '-out', 'int.pem']
      .concat([
        '-subj',
        '/CN=Certdesk Sites Test Intermediate',
        '-CA',
        'root.pem',
        '-CAkey',
        'root.key',
      ])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', ...caExt]),
  );
  return {
    dir,
    rootPem: await readFile(join(dir, 'root.pem'), 'utf8'),
    intermediatePem: await readFile(join(dir, 'int.pem'), 'utf8'),
  };
}

function newKeyPem(keyType: 'ec' | 'rsa'): string {
  const pair =
    keyType === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Issues a leaf for `names` (the first is the CN) under the intermediate of `ca`. */
export async function issueLeaf(
  ca: TestCa,
  names: string[],
  keyType: 'ec' | 'rsa' = 'ec',
): Promise<TestCertificate> {
  leafCount += 1;
  const base = `leaf-${leafCount}`;
  const keyPem = newKeyPem(keyType);
  await writeFile(join(ca.dir, `${base}.key`), keyPem, { mode: 0o600 });
  const san = names.map((name) => `DNS:${name}`).join(',');
  await openssl(
    ca.dir,
    ['-new', '-key', `${base}.key`, '-out', `${base}.pem`, '-days', '2']
      .concat(['-subj', `/CN=${names[0] ?? 'leaf'}`, '-CA', 'int.pem', '-CAkey', 'int.key'])
      .concat(['-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:FALSE'])
      .concat(['-addext', 'extendedKeyUsage=serverAuth']),
  );
  const leafPem = await readFile(join(ca.dir, `${base}.pem`), 'utf8');
  const leaf = new X509Certificate(leafPem);
  return {
    chainPem: `${leafPem}${ca.intermediatePem}`,
    leafPem,
    intermediatePem: ca.intermediatePem,
    keyPem,
    fingerprintSha256: leaf.fingerprint256.toUpperCase(),
    serial: leaf.serialNumber.replaceAll(':', '').toUpperCase(),
  };
}
