/**
 * Child process for the failed-deployment test: loads the deployment code, prints `ready`, and
 * on SIGUSR1 deploys the request read from the JSON file given as its argument, printing
 * `result <json>` ({ ok, files } or { ok: false, code, message }) and exiting. The parent lowers
 * this process's file-size limit (prlimit) between `ready` and SIGUSR1, so the deployment fails
 * part-way with EFBIG while every module is already loaded.
 */
import { readFileSync } from 'node:fs';
import { deployToFolder, type DeployRequest } from '../../../electron/core/sites/deploy.ts';
import { isCertdeskError } from '../../../electron/core/errors.ts';

const [requestFile] = process.argv.slice(2);
if (!requestFile) throw new Error('usage: deploy-child.ts <request.json>');
const request = JSON.parse(readFileSync(requestFile, 'utf8')) as DeployRequest;

process.on('SIGUSR1', () => {
  deployToFolder(request).then(
    (result) => {
      process.stdout.write(`result ${JSON.stringify({ ok: true, files: result.files })}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      const code = isCertdeskError(error) ? error.code : 'not-certdesk';
      const message = error instanceof Error ? error.message : String(error);
      process.stdout.write(`result ${JSON.stringify({ ok: false, code, message })}\n`);
      process.exit(0);
    },
  );
});

process.stdout.write('ready\n');
setInterval(() => undefined, 1 << 30);
