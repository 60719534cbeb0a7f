/**
 * Child process for the crash tests: opens the core on a data folder with the lifecycle
 * running, and SIGKILLs itself right after the step named in argv[3] is saved, the way a
 * power cut or a crash would stop it. Logs go to the data folder's log file.
 */
import { join } from 'node:path';
import { openCore } from '../../../electron/core/index.ts';
import { createLogger, fileSink } from '../../../electron/core/log.ts';

const [dataDir, killAt] = process.argv.slice(2) as [string, string];

// The engine's timer does not keep a process alive (the app and the test host have their own
// reasons to live); this child has none, so it holds itself open until it is killed.
setInterval(() => undefined, 1000);

openCore({
  dataDir,
  host: 'web',
  version: 'crash-test',
  logger: createLogger([fileSink(join(dataDir, 'logs', 'certdesk.log'))], 'debug'),
  saveFile: async () => ({ saved: false }),
  openExternal: async () => false,
  afterStep: (_templateId, step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
}).catch((error: unknown) => {
  process.stderr.write(`crash child could not open the core: ${String(error)}\n`);
  process.exit(2);
});
