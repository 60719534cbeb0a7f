/**
 * Deployment of a certificate to a folder a web server reads: cert.pem, chain.pem,
 * fullchain.pem, privkey.pem and optionally certificate.pfx.
 *
 * Each file is replaced atomically (a temp file in the same folder, fsync, rename over the old
 * name, fsync of the folder), so a reader sees the old file or the new one, never half of one.
 * All temp files are written before the first rename: a failure while writing (full disk, quota,
 * I/O error) leaves every previous file as it was. The renames then run back to back, key first,
 * then fullchain.pem and cert.pem.
 *
 * The window that remains, stated plainly: between the rename of privkey.pem and that of
 * fullchain.pem/cert.pem (two rename system calls, microseconds) the folder holds the new key
 * with the old certificate. A server that loads its files at exactly that moment gets a pair that
 * does not match (nginx then refuses the reload and keeps serving the old pair). If Certdesk is
 * killed between those renames the mismatch stays until the next deployment, which repairs it;
 * the post-deploy command runs only after every rename, so the reload Certdesk triggers never
 * sees it. Closing it fully would need a symlink swap between versioned folders, which changes
 * the paths servers are configured with.
 */
import fsp from 'node:fs/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { dirname, isAbsolute, join, normalize } from 'node:path';

import { CertdeskError } from '../errors.ts';
import type { Logger } from '../log.ts';
import {
  fsyncDir,
  hasCode,
  osMessage,
  removeQuietly,
  removeStaleTempFiles,
  renameReplacing,
  tempPathFor,
} from '../store/durable-fs.ts';
import { buildPfx } from './pfx.ts';

/** Mode of privkey.pem and certificate.pfx, whatever `fileMode` says. */
export const PRIVATE_FILE_MODE = 0o600;

/** Default mode of cert.pem, chain.pem and fullchain.pem. */
export const PUBLIC_FILE_MODE = 0o644;

/** Mode of a deployment folder Certdesk creates. */
export const FOLDER_MODE = 0o700;

/** What to deploy, and where. */
export interface DeployRequest {
  /** Absolute path of the folder; created (mode 0700, parents too) when missing. */
  folder: string;
  /** PEM chain as stored: leaf first, then its issuers. */
  chainPem: string;
  /** The certificate's private key, PEM. Never logged, never in a message. */
  keyPem: string;
  /** Also write certificate.pfx (key and chain) protected by this password. */
  pfx?: { password: string };
  /**
   * Mode of the public files (cert.pem, chain.pem, fullchain.pem); default 0644. Modes that
   * let group or others write are refused. privkey.pem and certificate.pfx are always 0600.
   */
  fileMode?: number;
  /** Receives one line per deployment (folder, file names, fingerprint); no key material. */
  log?: Logger;
}

/** What a deployment wrote. */
export interface DeployResult {
  /** Absolute paths of the files replaced, in the order they were renamed into place. */
  files: string[];
}

/** One file of a deployment, ready to write. */
interface PlannedFile {
  name: string;
  data: string | Buffer;
  mode: number;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function deployFailed(folder: string, message: string, cause?: unknown): CertdeskError {
  return new CertdeskError({
    code: 'deploy-failed',
    step: 'deploy',
    message: `Could not deploy the certificate to ${folder}: ${message}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

function checkRequest(request: DeployRequest): { folder: string; fileMode: number } {
  const folder = request.folder;
  if (typeof folder !== 'string' || !isAbsolute(folder)) {
    throw deployFailed(String(folder), 'the folder must be an absolute path.');
  }
  const fileMode = request.fileMode ?? PUBLIC_FILE_MODE;
  if (!Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o777 || fileMode & 0o022) {
    const shown = Number.isInteger(fileMode) ? `0${fileMode.toString(8)}` : String(fileMode);
    throw deployFailed(
      folder,
      `file mode ${shown} is not allowed; use a mode such as 0644 or 0640 that only the owner can write.`,
    );
  }
  return { folder: normalize(folder), fileMode };
}

// The key is checked against the leaf here, before anything is written, so a deployment can
// never install a pair that a web server would refuse. Messages name no key material.
function planFiles(
  request: DeployRequest,
  folder: string,
  fileMode: number,
): { files: PlannedFile[]; fingerprintSha256: string } {
  const certificates = (request.chainPem.match(PEM_CERTIFICATE) ?? []).map((pem) => `${pem}\n`);
  const [leaf, ...issuers] = certificates;
  if (leaf === undefined) throw deployFailed(folder, 'the chain holds no PEM certificate.');
  let matches: boolean;
  let fingerprintSha256: string;
  try {
    const certificate = new X509Certificate(leaf);
    fingerprintSha256 = certificate.fingerprint256;
    matches = certificate.checkPrivateKey(createPrivateKey(request.keyPem));
  } catch {
    throw deployFailed(folder, 'the certificate or its private key could not be read.');
  }
  if (!matches) throw deployFailed(folder, 'the private key does not belong to the certificate.');

  const keyPem = request.keyPem.endsWith('\n') ? request.keyPem : `${request.keyPem}\n`;
  const files: PlannedFile[] = [
    { name: 'privkey.pem', data: keyPem, mode: PRIVATE_FILE_MODE },
    { name: 'fullchain.pem', data: certificates.join(''), mode: fileMode },
    { name: 'cert.pem', data: leaf, mode: fileMode },
    { name: 'chain.pem', data: issuers.join(''), mode: fileMode },
  ];
  if (request.pfx) {
    files.push({
      name: 'certificate.pfx',
      data: pfxFile(request, folder),
      mode: PRIVATE_FILE_MODE,
    });
  }
  return { files, fingerprintSha256 };
}

function pfxFile(request: DeployRequest, folder: string): Buffer {
  const certificatesPem = request.chainPem.match(PEM_CERTIFICATE) ?? [];
  try {
    return buildPfx({
      keyPem: request.keyPem,
      certificatesPem,
      password: request.pfx?.password ?? '',
    });
  } catch (error) {
    throw deployFailed(folder, `the PFX file could not be built (${osMessage(error)}).`);
  }
}

/** Creates the folder when missing; refuses targets that are folders, which rename cannot replace. */
async function prepareFolder(folder: string, files: PlannedFile[]): Promise<void> {
  const created = await fsp.mkdir(folder, { recursive: true, mode: FOLDER_MODE });
  if (created !== undefined) await fsyncDir(dirname(created)); // the new folder's own entry
  for (const file of files) {
    const stat = await fsp.lstat(join(folder, file.name)).catch((error: unknown) => {
      if (hasCode(error, 'ENOENT')) return null;
      throw error;
    });
    if (stat?.isDirectory()) {
      throw Object.assign(new Error(`${file.name} is a folder, not a file`), { code: 'EISDIR' });
    }
    // Temp files a killed deployment left behind would otherwise pile up.
    await removeStaleTempFiles(join(folder, file.name));
  }
}

/** Writes one temp file with its final mode set before any byte is written, then fsyncs it. */
async function writeTemp(temp: string, file: PlannedFile): Promise<void> {
  const handle = await fsp.open(temp, 'wx', file.mode);
  try {
    await handle.chmod(file.mode);
    await handle.writeFile(file.data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAndSwap(folder: string, files: PlannedFile[]): Promise<string[]> {
  const temps: string[] = [];
  try {
    for (const file of files) {
      const temp = tempPathFor(join(folder, file.name));
      temps.push(temp);
      await writeTemp(temp, file);
    }
    // Back to back, key first: see the module comment for the window this leaves.
    for (const [index, file] of files.entries()) {
      await renameReplacing(temps[index] as string, join(folder, file.name));
    }
  } catch (error) {
    await Promise.all(temps.map(removeQuietly));
    throw error;
  }
  await fsyncDir(folder);
  return files.map((file) => join(folder, file.name));
}

/**
 * Deploys a certificate chain and its key to `request.folder` (see the module comment for the
 * atomicity it gives and the window it leaves). The folder must be an absolute path. Files not
 * named above are never touched, including a certificate.pfx of an earlier deployment when
 * this one writes none. Concurrent deployments to the same folder must be serialized by the
 * caller. Throws CertdeskError 'deploy-failed' naming the folder and what went wrong (the OS
 * error, a key that does not match, an unreadable chain); the previous files are then intact
 * unless a rename itself failed part-way.
 */
export async function deployToFolder(request: DeployRequest): Promise<DeployResult> {
  const { folder, fileMode } = checkRequest(request);
  const { files, fingerprintSha256 } = planFiles(request, folder, fileMode);
  let written: string[];
  try {
    await prepareFolder(folder, files);
    written = await writeAndSwap(folder, files);
  } catch (error) {
    request.log?.error('deployment failed', { folder, error: osMessage(error) });
    throw deployFailed(folder, `${osMessage(error)}.`, error);
  }
  request.log?.info('deployed certificate', {
    folder,
    files: files.map((file) => file.name).join(','),
    fingerprintSha256,
  });
  return { files: written };
}
