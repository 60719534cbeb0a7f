/**
 * The core: every Certdesk service wired together, in plain Node with no Electron import, so
 * the Electron shell and the test host run exactly the same code. `openCore` takes the store
 * lock; a second core on the same data folder fails fast.
 */
import { randomUUID } from 'node:crypto';
import type { EventName } from '../../shared/channels.ts';
import type { CoreHandlers } from '../../shared/contract.ts';
import type { LifecycleStep, NoticeView, TemplateDetails } from '../../shared/types.ts';
import { CertdeskError } from './errors.ts';
import { createCoreEvents, type CoreEvent } from './events.ts';
import { exportFileName, toCsv, toZoneLines, type ExportableTemplate } from './export/csv.ts';
import type { Logger } from './log.ts';
import { createKeytarStore, type SecretStore } from './secrets/keychain.ts';
import { createSettingsService } from './settings/settings.ts';
import {
  MIGRATIONS,
  SCHEMA_VERSION,
  newDocument,
  validateDocument,
  type StoreDocument,
} from './state.ts';
import { openDurableStore, type Store } from './store/index.ts';
import { createTemplateService } from './templates/templates.ts';
import { createConnections } from './lifecycle/connections.ts';
import { createEngine, type Engine } from './lifecycle/engine.ts';
import { createRecordWriter, type RecordWriter } from './lifecycle/records.ts';
import { createNotifier, type Notifier } from './notify/notifier.ts';
import { createSiteService } from './sites/service.ts';

/** Saves an export where the administrator chose; the renderer only suggests a name. */
export type SaveFile = (
  suggestedName: string,
  contents: string,
  filters: { name: string; extensions: string[] }[],
) => Promise<{ saved: true; path: string } | { saved: false }>;

export interface CoreOptions {
  dataDir: string;
  host: 'electron' | 'web';
  version: string;
  logger: Logger;
  saveFile: SaveFile;
  /** Opens an https URL in the system browser; the caller has already checked it. */
  openExternal: (url: string) => Promise<boolean>;
  /** The keychain; by default keytar under a service named for this installation. */
  secrets?: (installationId: string) => SecretStore;
  now?: () => Date;
  /**
   * Start the lifecycle engine (checks, issuance, resumes) when the core opens. Default true;
   * tests of the template workflow alone turn it off.
   */
  startLifecycle?: boolean;
  /** Live-check connection options (tests connect to 127.0.0.1 while SNI names the host). */
  liveCheck?: { connectHost?: string; timeoutMs?: number; pauseMs?: number };
  /** Test hook: runs after each lifecycle step is saved (crash tests kill the process here). */
  afterStep?: (templateId: string, step: LifecycleStep) => void | Promise<void>;
}

export interface Core {
  handlers: CoreHandlers;
  events: { on(listener: (event: CoreEvent) => void): () => void };
  store: Store<StoreDocument>;
  engine: Engine;
  /** Tray state and desktop notifications, decided here; the shell only shows them. */
  notifier: Notifier;
  close(): Promise<void>;
}

export type { CoreEvent, EventName };

function selectTemplates(doc: StoreDocument, ids: string[] | undefined): ExportableTemplate[] {
  if (!ids) return doc.templates;
  const wanted = new Set(ids);
  return doc.templates.filter((t) => wanted.has(t.id));
}

/** Opens the store and wires the services. Throws CertdeskError store-locked and the like. */
export async function openCore(options: CoreOptions): Promise<Core> {
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const store = await openDurableStore<StoreDocument>({
    dir: options.dataDir,
    schemaVersion: SCHEMA_VERSION,
    migrations: MIGRATIONS,
    validate: validateDocument,
    defaults: newDocument,
    logger: log.child('store'),
    now,
  });
  const makeSecrets = options.secrets ?? ((id) => createKeytarStore({ service: `Certdesk ${id}` }));
  const secrets = makeSecrets(store.data.installationId);
  const events = createCoreEvents();
  const notices: NoticeView[] = store.notices.map((n) => ({ id: randomUUID(), ...n }));
  for (const notice of notices) log.warn('store notice', { message: notice.message });

  const settings = createSettingsService({ store, secrets, log: log.child('settings') });
  const records = createRecordWriter(store, events, now);
  const sites = createSiteService({
    store,
    secrets,
    events,
    log: log.child('sites'),
    now,
    ...(options.liveCheck ? { liveCheck: options.liveCheck } : {}),
  });
  const connections = createConnections({ store, secrets, settings, log: log.child('lifecycle') });
  const engine = createEngine({
    records,
    secrets,
    settings: () => store.data.settings,
    acme: () => connections.acme(),
    dnsProvider: (templateId) => connections.dnsProvider(templateId),
    log: log.child('lifecycle'),
    now,
    certificateStored: (templateId) => sites.certificateStored(templateId),
    ...(options.afterStep ? { afterStep: options.afterStep } : {}),
  });
  let started = false;
  const lifecycle = {
    created: (id: string) => void (started && engine.checkNow(id).catch(() => undefined)),
    retried: (id: string) => void (started && engine.retry(id)),
    release: (id: string) => engine.release(id),
  };
  const templates = createTemplateService({
    store,
    secrets,
    events,
    log: log.child('templates'),
    now,
    lifecycle,
    view: records.view,
  });

  const handlers: CoreHandlers = {
    getAppInfo: async () => ({
      version: options.version,
      dataDir: options.dataDir,
      host: options.host,
      notices,
    }),
    dismissNotice: async ({ id }) => {
      const index = notices.findIndex((n) => n.id === id);
      if (index >= 0) notices.splice(index, 1);
      return { id };
    },
    getSettings: async () => settings.get(),
    saveSettings: async (input) => {
      const view = await settings.save(input);
      connections.reset();
      return view;
    },
    listTemplates: async (page) => templates.list(page),
    createTemplate: async (input) => templates.create(input),
    deleteTemplate: async ({ id }) => templates.delete(id),
    retryTemplate: async ({ id }) => templates.retry(id),
    checkTemplateNow: async ({ id }) => engine.checkNow(id),
    getTemplateDetails: async ({ id }) => templateDetails(records, id),
    exportCsv: async ({ templateIds, mode }) => {
      const { text, rows } = toCsv(selectTemplates(store.data, templateIds), mode);
      const result = await options.saveFile(exportFileName(now()), text, [
        { name: 'CSV', extensions: ['csv'] },
      ]);
      if (!result.saved) return { saved: false };
      log.info('CNAME records exported', { path: result.path, rows, mode });
      return { saved: true, path: result.path, rows };
    },
    getZoneLines: async ({ templateIds }) => toZoneLines(selectTemplates(store.data, templateIds)),
    listSites: async () => sites.list(),
    saveSite: async (input) => sites.save(input),
    deleteSite: async ({ id }) => sites.remove(id),
    linkTemplateToSite: async ({ siteId, templateId }) => sites.link(siteId, templateId),
    deploySiteNow: async ({ id }) => sites.deployNow(id),
    openExternal: async ({ url }) => {
      const parsed = URL.canParse(url) ? new URL(url) : null;
      if (!parsed || parsed.protocol !== 'https:' || parsed.username || parsed.password) {
        throw new CertdeskError({
          code: 'invalid-input',
          message: 'Only https:// links can be opened.',
        });
      }
      return { opened: await options.openExternal(parsed.href) };
    },
  };

  const notifier = createNotifier({ list: () => templates.list(), sites: () => sites.list(), now });
  events.on((event) => notifier.handle(event));

  if (options.startLifecycle ?? true) {
    engine.start();
    started = true;
  }
  return {
    handlers,
    events,
    store,
    engine,
    notifier,
    close: async () => {
      await engine.stop();
      await store.close();
    },
  };
}

function templateDetails(records: RecordWriter, id: string): TemplateDetails {
  const record = records.find(id);
  if (!record)
    throw new CertdeskError({
      code: 'not-found',
      message: `There is no template with id ${id}; it may have been deleted.`,
    });
  return {
    template: records.view(record),
    findings: records.findings(record),
    certificates: record.certificates
      .map(({ chainPem: _chain, keyRef: _key, orderUrl: _order, ...view }) => view)
      .reverse(),
    audit: [...record.audit].reverse(),
  };
}
