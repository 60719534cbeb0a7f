/**
 * Sites: where certificates go once issued, in plain Node.
 *
 * The pieces, in the order the lifecycle engine uses them after a certificate is stored:
 * - {@link uncoveredHosts} / {@link coverageMessage}: refuse to link a certificate (and so its
 *   template) to a site while one of the site's hosts is not covered; {@link normalizeHosts}
 *   validates a site's hosts once, with the shared name rules.
 * - {@link deployToFolder}: cert.pem, chain.pem, fullchain.pem, privkey.pem (0600) and an
 *   optional PFX, each replaced atomically. Concurrent deployments to one folder must be
 *   serialized by the caller (one per site at a time).
 * - {@link runPostDeploy}: the site's reload command, an argument list without a shell, with a
 *   timeout that ends the command's whole process tree.
 * - {@link checkSite}: connect to each host with TLS and SNI and compare the served certificate
 *   with the deployed one; `serving-other` is the alert case.
 *
 * Nothing here reads the store or the keychain, retries, or schedules: the engine fetches the
 * chain and key, calls these in order, saves the results and decides about notifications.
 * Errors are CertdeskError with codes 'invalid-input', 'deploy-failed', 'post-deploy-invalid'
 * and 'post-deploy-failed'; messages and logs never contain key material.
 */
export { coverageMessage, normalizeHosts, uncoveredHosts } from './coverage.ts';
export {
  deployToFolder,
  FOLDER_MODE,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  type DeployRequest,
  type DeployResult,
} from './deploy.ts';
export {
  KILL_GRACE_MS,
  resolveProgram,
  runPostDeploy,
  type PostDeployRequest,
  type PostDeployResult,
} from './post-deploy.ts';
export {
  checkLiveHost,
  checkSite,
  CHECK_CONCURRENCY,
  HTTPS_PORT,
  type LiveCheckRequest,
  type LiveCheckResult,
  type LiveStatus,
  type SiteCheckOptions,
} from './live-check.ts';
export { buildPfx, type PfxInput } from './pfx.ts';
