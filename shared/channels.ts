/**
 * Every IPC channel Certdesk uses, by the method name the renderer calls. This module has no
 * dependencies so the sandboxed preload can import it without pulling in the schemas; the
 * schemas in contract.ts are keyed by the same names, and the compiler checks they match.
 */

/** Request/response channels: `window.certdesk.<method>(request)`. */
export const INVOKE_CHANNELS = {
  getAppInfo: 'certdesk:get-app-info',
  dismissNotice: 'certdesk:dismiss-notice',
  getSettings: 'certdesk:get-settings',
  saveSettings: 'certdesk:save-settings',
  listTemplates: 'certdesk:list-templates',
  createTemplate: 'certdesk:create-template',
  deleteTemplate: 'certdesk:delete-template',
  retryTemplate: 'certdesk:retry-template',
  checkTemplateNow: 'certdesk:check-template-now',
  getTemplateDetails: 'certdesk:get-template-details',
  exportCsv: 'certdesk:export-csv',
  getZoneLines: 'certdesk:get-zone-lines',
  openExternal: 'certdesk:open-external',
  listSites: 'certdesk:list-sites',
  saveSite: 'certdesk:save-site',
  deleteSite: 'certdesk:delete-site',
  linkTemplateToSite: 'certdesk:link-template-to-site',
  deploySiteNow: 'certdesk:deploy-site-now',
} as const;

/** Events main pushes: `window.certdesk.on<Event>(listener)` returns an unsubscribe function. */
export const EVENT_CHANNELS = {
  templateChanged: 'certdesk:template-changed',
  templateRemoved: 'certdesk:template-removed',
  notice: 'certdesk:notice',
  siteChanged: 'certdesk:site-changed',
  /** From the shell (a tray item or a notification was clicked): show this template. */
  openTemplate: 'certdesk:open-template',
} as const;

export type InvokeMethod = keyof typeof INVOKE_CHANNELS;
export type EventName = keyof typeof EVENT_CHANNELS;

/** `templateChanged` → `onTemplateChanged`. */
export function eventMethodName<E extends EventName>(event: E): `on${Capitalize<E>}` {
  return `on${event.charAt(0).toUpperCase()}${event.slice(1)}` as `on${Capitalize<E>}`;
}

export const INVOKE_METHODS = Object.keys(INVOKE_CHANNELS) as InvokeMethod[];
export const EVENT_NAMES = Object.keys(EVENT_CHANNELS) as EventName[];
