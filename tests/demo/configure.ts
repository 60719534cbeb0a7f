/**
 * Saves Settings into a data folder through the real core and dispatcher, reading
 * { dataDir, settings } as JSON on stdin. Used by the demo before it opens the app, so the
 * TSIG secret goes into the keychain exactly as it would from the Settings tab.
 */
import { readFileSync } from 'node:fs';
import { INVOKE_CHANNELS } from '../../shared/channels.ts';
import { openCore } from '../../electron/core/index.ts';
import { createLogger } from '../../electron/core/log.ts';
import { createDispatcher } from '../../electron/rpc/dispatch.ts';

async function main(): Promise<void> {
  const { dataDir, settings } = JSON.parse(readFileSync(0, 'utf8')) as {
    dataDir: string;
    settings: unknown;
  };
  const core = await openCore({
    dataDir,
    host: 'web',
    version: 'demo',
    logger: createLogger([]),
    saveFile: async () => ({ saved: false }),
    openExternal: async () => false,
    startLifecycle: false,
  });
  try {
    const result = await createDispatcher(core.handlers, createLogger([]))(
      INVOKE_CHANNELS.saveSettings,
      settings,
    );
    if (!result.ok) throw new Error(result.error.message);
  } finally {
    await core.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
