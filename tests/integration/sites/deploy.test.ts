import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { deployToFolder, type DeployRequest } from '../../../electron/core/sites/deploy.ts';
import { isCertdeskError } from '../../../electron/core/errors.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { run, runOk } from '../../rig/proc.ts';
import { exited, spawnTs, waitForLine } from '../../unit/store/fixtures.ts';
import { issueLeaf, makeTestCa, type TestCertificate } from './test-chain.ts';

const deployChild = fileURLToPath(new URL('./deploy-child.ts', import.meta.url));
const PEM_NAMES = ['cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem'];

let root: string;
let ecCert: TestCertificate;
let rsaCert: TestCertificate;
let folderCount = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'certdesk-deploy-'));
  const ca = await makeTestCa(join(root, 'ca'));
  ecCert = await issueLeaf(ca, ['www.example.test', 'example.test'], 'ec');
  rsaCert = await issueLeaf(ca, ['shop.example.test'], 'rsa');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const newFolder = (): string => join(root, `site-${++folderCount}`, 'live');
const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function snapshot(folder: string): Promise<Record<string, string>> {
  const names = (await readdir(folder)).sort();
  const entries = await Promise.all(
    names.map(async (n) => [n, await readFile(join(folder, n), 'utf8')]),
  );
  return Object.fromEntries(entries) as Record<string, string>;
}

async function deployError(request: DeployRequest): Promise<Error & { code?: string }> {
  const error = await deployToFolder(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCertdeskError(error)) throw new Error(`expected a CertdeskError, got ${String(error)}`);
  return error;
}

/** Lines of the key's base64 body: none of them may appear in a message or a log line. */
const keyLines = (keyPem: string): string[] =>
  keyPem.split('\n').filter((line) => line.length > 16 && !line.startsWith('-----'));

describe('deployToFolder', () => {
  it('writes leaf, intermediates, both, and the key, with their modes, creating the folder 0700', async () => {
    const folder = newFolder();
    const { files } = await deployToFolder({
      folder,
      chainPem: ecCert.chainPem,
      keyPem: ecCert.keyPem,
    });

    expect(files).toEqual(
      ['privkey.pem', 'fullchain.pem', 'cert.pem', 'chain.pem'].map((n) => join(folder, n)),
    );
    expect(await snapshot(folder)).toEqual({
      'cert.pem': ecCert.leafPem,
      'chain.pem': ecCert.intermediatePem,
      'fullchain.pem': ecCert.leafPem + ecCert.intermediatePem,
      'privkey.pem': ecCert.keyPem,
    });
    expect(await modeOf(join(folder, 'privkey.pem'))).toBe(0o600);
    for (const name of ['cert.pem', 'chain.pem', 'fullchain.pem']) {
      expect(await modeOf(join(folder, name))).toBe(0o644);
    }
    expect(await modeOf(folder)).toBe(0o700);
    expect(await modeOf(join(folder, '..'))).toBe(0o700);
  });

  it('gives the public files the requested mode but keeps the key at 0600', async () => {
    const folder = newFolder();
    await deployToFolder({
      folder,
      chainPem: ecCert.chainPem,
      keyPem: ecCert.keyPem,
      fileMode: 0o640,
    });
    expect(await modeOf(join(folder, 'cert.pem'))).toBe(0o640);
    expect(await modeOf(join(folder, 'fullchain.pem'))).toBe(0o640);
    expect(await modeOf(join(folder, 'privkey.pem'))).toBe(0o600);
  });

  it.each([
    ['ECDSA', () => ecCert],
    ['RSA', () => rsaCert],
  ])(
    'writes a %s PFX that openssl opens with the password, holding the key and chain',
    async (_, pick) => {
      const cert = pick();
      const folder = newFolder();
      const password = 'correct horse battery staple';
      const { files } = await deployToFolder({
        folder,
        chainPem: cert.chainPem,
        keyPem: cert.keyPem,
        pfx: { password },
      });
      const pfxPath = join(folder, 'certificate.pfx');
      expect(files).toContain(pfxPath);
      expect(await modeOf(pfxPath)).toBe(0o600);

      const opened = await runOk('openssl', [
        'pkcs12',
        '-in',
        pfxPath,
        '-passin',
        `pass:${password}`,
        '-nodes',
      ]);
      const keyBlock = opened.match(
        /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/,
      )?.[0];
      const der = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
      expect(keyBlock && der(keyBlock).equals(der(cert.keyPem))).toBe(true);
      const certs =
        opened.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      expect(certs.map((pem) => new X509Certificate(pem).fingerprint256).sort()).toEqual(
        [cert.leafPem, cert.intermediatePem]
          .map((pem) => new X509Certificate(pem).fingerprint256)
          .sort(),
      );

      const info = await run('openssl', [
        'pkcs12',
        '-in',
        pfxPath,
        '-passin',
        `pass:${password}`,
        '-info',
        '-noout',
      ]);
      expect(info.stderr).toContain('MAC: sha256');
      expect(info.stderr).toContain('PBES2, PBKDF2, AES-256-CBC');
      expect(info.stderr).toContain('hmacWithSHA256');
      const wrong = await run('openssl', [
        'pkcs12',
        '-in',
        pfxPath,
        '-passin',
        'pass:wrong',
        '-nodes',
      ]);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stdout).not.toContain('PRIVATE KEY');
    },
  );

  it('replaces an earlier deployment and logs it without key material', async () => {
    const folder = newFolder();
    const lines: string[] = [];
    const log = createLogger([memorySink(lines)], 'debug');
    await deployToFolder({ folder, chainPem: ecCert.chainPem, keyPem: ecCert.keyPem, log });
    await deployToFolder({
      folder,
      chainPem: rsaCert.chainPem,
      keyPem: rsaCert.keyPem,
      log,
      pfx: { password: 'pw' },
    });
    expect((await snapshot(folder))['fullchain.pem']).toBe(rsaCert.chainPem);
    expect((await snapshot(folder))['privkey.pem']).toBe(rsaCert.keyPem);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(folder);
    for (const line of [...keyLines(ecCert.keyPem), ...keyLines(rsaCert.keyPem)]) {
      expect(lines.join('\n')).not.toContain(line);
    }
  });

  it('removes temp files a killed deployment left behind', async () => {
    const folder = newFolder();
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'privkey.pem.4242.0123456789ab.tmp'), 'half a key');
    await deployToFolder({ folder, chainPem: ecCert.chainPem, keyPem: ecCert.keyPem });
    expect((await readdir(folder)).sort()).toEqual(PEM_NAMES);
  });
});

describe('deployToFolder refusals', () => {
  it('refuses a relative folder and creates nothing', async () => {
    const error = await deployError({
      folder: 'relative/site',
      chainPem: ecCert.chainPem,
      keyPem: ecCert.keyPem,
    });
    expect(error.code).toBe('deploy-failed');
    expect(error.message).toContain('must be an absolute path');
    expect(existsSync('relative')).toBe(false);
  });

  it('refuses a file mode that lets others write', async () => {
    const folder = newFolder();
    const error = await deployError({
      folder,
      chainPem: ecCert.chainPem,
      keyPem: ecCert.keyPem,
      fileMode: 0o666,
    });
    expect(error.message).toContain('file mode 0666 is not allowed');
    expect(existsSync(folder)).toBe(false);
  });

  it('refuses a key that does not belong to the certificate, keeping the files and the key secret', async () => {
    const folder = newFolder();
    await deployToFolder({ folder, chainPem: ecCert.chainPem, keyPem: ecCert.keyPem });
    const before = await snapshot(folder);
    const error = await deployError({ folder, chainPem: rsaCert.chainPem, keyPem: ecCert.keyPem });
    expect(error.message).toBe(
      `Could not deploy the certificate to ${folder}: the private key does not belong to the certificate.`,
    );
    for (const line of keyLines(ecCert.keyPem)) expect(error.message).not.toContain(line);
    expect(await snapshot(folder)).toEqual(before);
  });

  it('names the folder and ENOTDIR when the path runs through a file, and changes nothing', async () => {
    const file = join(root, `plain-file-${++folderCount}`);
    await writeFile(file, 'not a folder');
    const folder = join(file, 'site');
    const error = await deployError({ folder, chainPem: ecCert.chainPem, keyPem: ecCert.keyPem });
    expect(error.code).toBe('deploy-failed');
    expect(error.message).toContain(`Could not deploy the certificate to ${folder}:`);
    expect(error.message).toContain('ENOTDIR');
    expect(await readFile(file, 'utf8')).toBe('not a folder');
  });

  it('refuses before writing anything when a target name is a folder', async () => {
    const folder = newFolder();
    await deployToFolder({ folder, chainPem: ecCert.chainPem, keyPem: ecCert.keyPem });
    await rm(join(folder, 'chain.pem'));
    await mkdir(join(folder, 'chain.pem'));
    const error = await deployError({ folder, chainPem: rsaCert.chainPem, keyPem: rsaCert.keyPem });
    expect(error.message).toContain('chain.pem is a folder');
    expect(await readFile(join(folder, 'privkey.pem'), 'utf8')).toBe(ecCert.keyPem);
    expect(await readFile(join(folder, 'fullchain.pem'), 'utf8')).toBe(ecCert.chainPem);
    expect((await readdir(folder)).sort()).toEqual(PEM_NAMES);
  });

  it('keeps every previous file when a write fails part-way (file size limit, EFBIG)', async () => {
    const folder = newFolder();
    await deployToFolder({ folder, chainPem: rsaCert.chainPem, keyPem: rsaCert.keyPem });
    const before = await snapshot(folder);

    // The limit lets the new key through but not the new fullchain.pem, the second file written.
    const limit = Buffer.byteLength(ecCert.chainPem) - 1;
    expect(Buffer.byteLength(ecCert.keyPem)).toBeLessThan(limit);
    const requestFile = join(root, `request-${folderCount}.json`);
    await writeFile(
      requestFile,
      JSON.stringify({ folder, chainPem: ecCert.chainPem, keyPem: ecCert.keyPem }),
      { mode: 0o600 },
    );
    const child = spawnTs(deployChild, [requestFile]);
    try {
      await waitForLine(child, 'ready');
      await runOk('prlimit', [`--pid=${child.pid}`, `--fsize=${limit}:${limit}`]);
      const resultLine = waitForLine(child, 'result ');
      child.kill('SIGUSR1');
      const result = JSON.parse((await resultLine).slice('result '.length)) as {
        ok: boolean;
        code: string;
        message: string;
      };
      expect(result).toMatchObject({ ok: false, code: 'deploy-failed' });
      expect(result.message).toContain(folder);
      expect(result.message).toContain('EFBIG');
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
    expect(await snapshot(folder)).toEqual(before); // same names (no temp files) and same bytes
    expect(sha256(before['privkey.pem'] ?? '')).toBe(sha256(rsaCert.keyPem));
  });
});
