/**
 * Words for sites and deployments, shared by the Sites tab, the link dialogs and the template
 * details: what a live check found, what a deployment came to, and file names for people.
 */
import type { DeploymentView, LiveCheckView } from '../../../shared/types.ts';

/** A live check's status in words, exactly as the UI and tests use them. */
export const LIVE_CHECK_WORDS: Record<LiveCheckView['status'], string> = {
  'serving-latest': 'Serving the latest certificate',
  'serving-other': 'Serving another certificate',
  unreachable: 'Unreachable',
  'tls-error': 'TLS error',
};

/**
 * What a deployment came to: `deployed` (files written, command succeeded, every host serves
 * the certificate), `attention` (files written, but the command or a live check did not
 * succeed), `failed` (the files could not be written; `error` says why).
 */
export type DeploymentOutcome = 'deployed' | 'attention' | 'failed';

/** The outcome of a deployment; see {@link DeploymentOutcome}. */
export function deploymentOutcome(deployment: DeploymentView): DeploymentOutcome {
  if (deployment.error !== undefined || deployment.files.length === 0) return 'failed';
  return deployment.ok ? 'deployed' : 'attention';
}

/** The outcome's words, for the badge beside the deployment time. */
export const DEPLOYMENT_OUTCOME_WORDS: Record<DeploymentOutcome, string> = {
  deployed: 'Deployed and serving',
  attention: 'Deployed, needs attention',
  failed: 'Deployment failed',
};

/** The last part of a path, with `/` or `\` as separator: `/etc/certs/cert.pem` → `cert.pem`. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** The post-deploy command's result in a sentence. */
export function postDeploySentence(result: NonNullable<DeploymentView['postDeploy']>): string {
  if (result.timedOut) return 'Post-deploy command ran out of time and was stopped.';
  if (result.exitCode === null) return 'Post-deploy command was stopped by a signal.';
  return result.exitCode === 0
    ? 'Post-deploy command succeeded (exit status 0).'
    : `Post-deploy command failed with exit status ${result.exitCode}.`;
}
