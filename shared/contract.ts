/**
 * The IPC contract: for every method, the schema its request must pass in main before any
 * core code runs, and the type of its answer. Requests are parsed with valibot: structural
 * limits first (strict objects, bounded strings and arrays), then the shared domain rules,
 * whose output (normalized names) is what the core receives.
 */
import * as v from 'valibot';
import type { EventName, InvokeMethod } from './channels.ts';
import {
  normalizeTemplateInput,
  type FieldIssue,
  type NormalizedTemplate,
} from './template-input.ts';
import type { SettingsInput } from './settings-input.ts';
import { CA_PRESETS, TSIG_ALGORITHMS, type SettingsView } from './settings.ts';
import { MAX_TEMPLATE_PAGE } from './template-order.ts';
import {
  KEY_TYPES,
  type NoticeView,
  type SiteView,
  type TemplateDetails,
  type TemplateView,
} from './types.ts';

/** Stable error codes an IPC answer may carry. */
export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'settings-incomplete'
  | 'keychain-unavailable'
  | 'keychain-locked'
  | 'keychain-timeout'
  | 'store-failed'
  | 'export-failed'
  | 'forbidden'
  | 'unknown-method'
  | 'internal'
  | (string & {});

/** An error as the renderer receives it: a code to act on and a sentence to show. */
export interface IpcError {
  code: ErrorCode;
  message: string;
  /** Per-field problems for invalid-input. */
  issues?: FieldIssue[];
  step?: string;
  name?: string;
}

/** Every answer: a value, or an error. Never a thrown exception across the bridge. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const id = v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'is not a template id'));
const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
const noPayload = v.optional(v.strictObject({}));

/**
 * listTemplates: without `limit`, every template (in no particular order); with it, at most
 * `limit` templates newest first, starting after `after` (the last template of the previous
 * page) when given. See shared/template-order.ts.
 */
const templatePage = v.optional(
  v.strictObject({
    limit: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TEMPLATE_PAGE)),
    ),
    after: v.optional(
      v.strictObject({
        createdAt: v.pipe(text(40), v.isoTimestamp('is not a creation time')),
        id,
      }),
    ),
  }),
);

const templateShape = v.strictObject({
  commonName: text(300),
  altNames: v.pipe(v.array(text(300)), v.maxLength(1000)),
  country: v.optional(text(8)),
  locality: v.optional(text(300)),
  organization: v.optional(text(300)),
  keyType: v.picklist(KEY_TYPES),
  reuseKey: v.optional(v.boolean()),
});

function reportIssues(issues: FieldIssue[], addIssue: (info: { message: string }) => void): void {
  for (const issue of issues) addIssue({ message: `${issue.field}: ${issue.message}` });
}

const templateInput = v.pipe(
  templateShape,
  v.rawTransform(({ dataset, addIssue, NEVER }): NormalizedTemplate => {
    const result = normalizeTemplateInput(dataset.value);
    if (result.ok) return result.value;
    reportIssues(result.issues, addIssue);
    return NEVER;
  }),
);

const settingsShape = v.strictObject({
  ca: v.strictObject({
    preset: v.picklist(CA_PRESETS),
    directoryUrl: v.optional(text(2000)),
    email: v.optional(text(254)),
    eabKeyId: v.optional(text(256)),
    eabHmacKey: v.optional(text(1024)),
    profile: v.optional(text(64)),
  }),
  dns: v.optional(
    v.variant('kind', [
      v.strictObject({
        kind: v.literal('rfc2136'),
        server: text(253),
        port,
        zone: text(253),
        keyName: text(253),
        algorithm: v.picklist(TSIG_ALGORITHMS),
        secret: v.optional(text(1024)),
      }),
      v.strictObject({ kind: v.literal('acme-dns'), serverUrl: text(2000) }),
    ]),
  ),
  resolver: v.variant('kind', [
    v.strictObject({ kind: v.literal('system') }),
    v.strictObject({ kind: v.literal('custom'), host: text(253), port }),
  ]),
});

// Settings are checked structurally here; the domain check needs to know which secrets the
// keychain already holds, so the settings service runs checkSettingsInput with that knowledge.

/** Request schemas, one per method. */
export const REQUEST_SCHEMAS = {
  getAppInfo: noPayload,
  dismissNotice: v.strictObject({ id: text(64) }),
  getSettings: noPayload,
  saveSettings: settingsShape,
  listTemplates: templatePage,
  createTemplate: templateInput,
  deleteTemplate: v.strictObject({ id }),
  retryTemplate: v.strictObject({ id }),
  checkTemplateNow: v.strictObject({ id }),
  getTemplateDetails: v.strictObject({ id }),
  exportCsv: v.strictObject({
    templateIds: v.optional(v.pipe(v.array(id), v.maxLength(100_000))),
    mode: v.picklist(['spreadsheet', 'raw']),
  }),
  getZoneLines: v.strictObject({
    templateIds: v.optional(v.pipe(v.array(id), v.maxLength(100_000))),
  }),
  openExternal: v.strictObject({ url: text(2000) }),
  listSites: noPayload,
  saveSite: v.strictObject({
    id: v.optional(id),
    name: v.pipe(v.string(), v.trim(), v.minLength(1, 'Site name is required'), v.maxLength(100)),
    hosts: v.pipe(
      v.array(text(300)),
      v.minLength(1, 'A site needs at least one host'),
      v.maxLength(100),
    ),
    port: v.optional(port, 443),
    folder: v.pipe(
      text(1000),
      v.check(
        (f) => f.startsWith('/') || /^[A-Za-z]:[\\/]/.test(f),
        'Deployment folder must be an absolute path',
      ),
    ),
    pfx: v.optional(v.boolean(), false),
    postDeploy: v.optional(v.pipe(v.array(text(1000)), v.maxLength(50))),
  }),
  deleteSite: v.strictObject({ id }),
  linkTemplateToSite: v.strictObject({ siteId: id, templateId: id }),
  deploySiteNow: v.strictObject({ id }),
} satisfies Record<InvokeMethod, v.GenericSchema>;

/** Facts about the running app for the header and the About text. */
export interface AppInfo {
  version: string;
  dataDir: string;
  /** `electron` in the app, `web` in the test host. */
  host: 'electron' | 'web';
  notices: NoticeView[];
}

/** What an export produced: a saved file, or nothing when the administrator cancelled. */
export type ExportResult = { saved: true; path: string; rows: number } | { saved: false };

/** The answer type of each method. */
export interface ResponseTypes {
  getAppInfo: AppInfo;
  dismissNotice: { id: string };
  getSettings: SettingsView;
  saveSettings: SettingsView;
  listTemplates: TemplateView[];
  createTemplate: TemplateView;
  deleteTemplate: { id: string };
  retryTemplate: TemplateView;
  checkTemplateNow: TemplateView;
  getTemplateDetails: TemplateDetails;
  exportCsv: ExportResult;
  getZoneLines: { text: string; rows: number };
  openExternal: { opened: boolean };
  listSites: SiteView[];
  saveSite: SiteView;
  deleteSite: { id: string };
  linkTemplateToSite: SiteView;
  deploySiteNow: SiteView;
}

/** The payload of each event. */
export interface EventPayloads {
  templateChanged: TemplateView;
  templateRemoved: { id: string };
  notice: NoticeView;
  siteChanged: SiteView;
  openTemplate: { id: string };
}

/** What the renderer sends. */
export type RequestInput<M extends InvokeMethod> = v.InferInput<(typeof REQUEST_SCHEMAS)[M]>;
/** What the core receives after parsing. */
export type ParsedRequest<M extends InvokeMethod> = v.InferOutput<(typeof REQUEST_SCHEMAS)[M]>;

type InvokeFn<M extends InvokeMethod> =
  undefined extends RequestInput<M>
    ? (request?: RequestInput<M>) => Promise<IpcResult<ResponseTypes[M]>>
    : (request: RequestInput<M>) => Promise<IpcResult<ResponseTypes[M]>>;

/** `window.certdesk`: one named method per channel, one subscription per event. */
export type CertdeskApi = { [M in InvokeMethod]: InvokeFn<M> } & {
  [E in EventName as `on${Capitalize<E>}`]: (
    listener: (payload: EventPayloads[E]) => void,
  ) => () => void;
};

/** Core handlers: parsed request in, answer out; errors are thrown as CertdeskError. */
export type CoreHandlers = {
  [M in InvokeMethod]: (request: ParsedRequest<M>) => Promise<ResponseTypes[M]>;
};

export type { SettingsInput };
