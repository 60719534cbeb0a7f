/**
 * The Electron main process entry (built to dist/electron/main.js). It only hands Electron's
 * modules and the built file locations to the boot checklist in shell/boot.ts:
 *
 *   1. `app:` registered as a privileged scheme (before ready)
 *   2. data folder chosen (--data-dir, CERTDESK_DATA_DIR, userData)
 *   3. single-instance lock (a second start focuses the first window and quits)
 *   4. navigation guards on every web contents; closing the window hides it in the tray
 *      (quit only from the tray, or when there is no tray)
 *   5. on ready: log file, core (a CertdeskError such as a locked store is shown and quits),
 *      `app:` protocol, permission handlers, IPC handlers with sender checks, the window,
 *      core events forwarded to it, then the tray, desktop notifications and the alert clock
 */
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  session,
  shell,
  Tray,
} from 'electron';
import { openCore } from './core/index.ts';
import { bootCertdesk } from './shell/boot.ts';

/** The running shell (null when this process quits at once); exported for the boot test. */
export const certdesk = bootCertdesk({
  electron: {
    app,
    BrowserWindow,
    dialog,
    ipcMain,
    protocol,
    session,
    shell,
    Tray,
    Menu,
    nativeImage,
    Notification,
    powerMonitor,
  },
  openCore,
  argv: process.argv,
  env: process.env,
  preloadPath: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
  platform: process.platform,
});
