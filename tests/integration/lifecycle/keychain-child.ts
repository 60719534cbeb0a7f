/**
 * Child process for the keychain tests: runs the core with the lifecycle on a prepared data
 * folder in whatever keychain environment it was started with, prints the first settled state
 * of the first template as JSON, and exits.
 */
import { openCore } from '../../../electron/core/index.ts';
import { createLogger } from '../../../electron/core/log.ts';
import type { TemplateView } from '../../../shared/types.ts';

const [dataDir] = process.argv.slice(2) as [string];
setInterval(() => undefined, 1000);

async function main(): Promise<void> {
  const core = await openCore({
    dataDir,
    host: 'web',
    version: 'keychain-test',
    logger: createLogger([(line) => process.stderr.write(`${line}\n`)], 'info'),
    saveFile: async () => ({ saved: false }),
    openExternal: async () => false,
  });
  const done = (view: TemplateView) => {
    if (view.status !== 'failed' && view.status !== 'issued') return;
    process.stdout.write(`${JSON.stringify(view)}\n`);
    void core.close().then(() => process.exit(0));
  };
  core.events.on((event) => {
    if (event.name === 'templateChanged') done(event.payload);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`keychain child failed: ${String(error)}\n`);
  process.exit(2);
});
