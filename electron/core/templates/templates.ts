/**
 * Certificate templates: create, list, delete, retry. A template starts at Pending
 * Verification with its challenge records; issuance moves it on from there.
 *
 * Every change goes through one store update, so a refused change leaves the store as it was.
 * Keychain entries of a template are removed before its record, so a failed keychain call
 * leaves the template in place (and says so) rather than orphaning its keys.
 */
import { randomUUID } from 'node:crypto';
import type { NormalizedTemplate } from '../../../shared/template-input.ts';
import { newestFirst, type TemplateOrderKey } from '../../../shared/template-order.ts';
import type { TemplateView } from '../../../shared/types.ts';
import { CertdeskError } from '../errors.ts';
import type { CoreEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { SecretStore } from '../secrets/keychain.ts';
import { newTemplateFields, type StoreDocument, type TemplateRecord } from '../state.ts';
import type { Store } from '../store/index.ts';
import { toTemplateView } from '../lifecycle/records.ts';
import { keyTypeRefusal } from '../acme/keys.ts';
import { registerChallengeRecords } from './acme-dns-records.ts';
import { planChallengeRecords } from './challenge-records.ts';

export { toTemplateView };

export interface TemplateServiceDeps {
  /** Told about new, retried and deleted templates, so issuance follows at once. */
  lifecycle?: {
    created(id: string): void;
    retried(id: string): void;
    /** Stops work on the template, waits for a run in progress and removes our TXT values. */
    release(id: string): Promise<void>;
  };
  store: Store<StoreDocument>;
  /** How a record is shown; by default without in-memory check results. */
  view?: (record: TemplateRecord) => TemplateView;
  secrets: SecretStore;
  events: CoreEvents;
  log: Logger;
  now: () => Date;
}

function notFound(id: string): CertdeskError {
  return new CertdeskError({
    code: 'not-found',
    message: `There is no template with id ${id}; it may have been deleted.`,
  });
}

/** A page of the template list: see listTemplates in shared/contract.ts. */
export interface TemplatePage {
  limit?: number | undefined;
  after?: TemplateOrderKey | undefined;
}

export interface TemplateService {
  /** Every template (store order), or with `limit` or `after` one page, newest first. */
  list(page?: TemplatePage): TemplateView[];
  find(id: string): TemplateRecord | undefined;
  create(input: NormalizedTemplate): Promise<TemplateView>;
  delete(id: string): Promise<{ id: string }>;
  retry(id: string): Promise<TemplateView>;
}

/** Index of the first record after `key` in newest-first order (binary search). */
function firstAfter(ordered: readonly TemplateRecord[], key: TemplateOrderKey): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (newestFirst(ordered[middle] as TemplateRecord, key) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function createTemplateService(deps: TemplateServiceDeps): TemplateService {
  const { store, secrets, events, log, now } = deps;
  const find = (id: string) => store.data.templates.find((t) => t.id === id);

  function dnsSettings() {
    const dns = store.data.settings.dns;
    if (!dns) {
      throw new CertdeskError({
        code: 'settings-incomplete',
        message:
          'Set up the validation zone in Settings first: challenge records point into it, and Certdesk writes the TXT answers there.',
      });
    }
    return dns;
  }

  /** The key type must fit one keychain entry on this platform (Windows holds 2,560 bytes). */
  function checkKeyType(input: NormalizedTemplate): void {
    const refusal = keyTypeRefusal(input.keyType, secrets.maxSecretBytes);
    if (refusal) {
      throw new CertdeskError({
        code: 'invalid-input',
        message: refusal,
        issues: [{ field: 'keyType', message: refusal }],
      });
    }
  }

  async function create(input: NormalizedTemplate): Promise<TemplateView> {
    checkKeyType(input);
    const dns = dnsSettings();
    const id = randomUUID();
    const identifiers = [input.commonName, ...input.altNames];
    const planned =
      dns.kind === 'rfc2136'
        ? { records: planChallengeRecords(identifiers, dns.zone), secretRefs: [] }
        : await registerChallengeRecords(id, identifiers, dns.serverUrl, secrets);
    const record: TemplateRecord = {
      id,
      ...input,
      ...newTemplateFields(now().toISOString()),
      challengeRecords: planned.records,
    };
    record.secretRefs.push(...planned.secretRefs);
    try {
      await store.update((doc) => {
        doc.templates.push(record);
      });
    } catch (error) {
      for (const account of planned.secretRefs) await secrets.delete(account).catch(() => false);
      throw error;
    }
    log.info('template created', {
      templateId: record.id,
      name: record.commonName,
      names: identifiers.length,
      provider: dns.kind,
    });
    const view = toTemplateView(record);
    events.emit('templateChanged', view);
    deps.lifecycle?.created(record.id);
    return view;
  }

  async function remove(id: string): Promise<{ id: string }> {
    const record = find(id);
    if (!record) throw notFound(id);
    await deps.lifecycle?.release(id);
    for (const account of find(id)?.secretRefs ?? record.secretRefs) {
      await secrets.delete(account);
    }
    await store.update((doc) => {
      doc.templates = doc.templates.filter((t) => t.id !== id);
    });
    log.info('template deleted', {
      templateId: id,
      name: record.commonName,
      secrets: record.secretRefs.length,
    });
    events.emit('templateRemoved', { id });
    return { id };
  }

  async function retry(id: string): Promise<TemplateView> {
    const record = find(id);
    if (!record) throw notFound(id);
    if (record.status === 'issued') {
      throw new CertdeskError({
        code: 'conflict',
        message: `${record.commonName} already has its latest certificate; there is nothing to retry.`,
      });
    }
    await store.update((doc) => {
      const target = doc.templates.find((t) => t.id === id);
      if (!target) return;
      target.status = 'pending';
      target.step = 'waiting-for-cname';
      delete target.failure;
    });
    log.info('retry requested', { templateId: id, name: record.commonName });
    const view = toTemplateView(find(id) as TemplateRecord);
    events.emit('templateChanged', view);
    deps.lifecycle?.retried(id);
    return view;
  }

  return {
    list(page) {
      const show = deps.view ?? ((record: TemplateRecord) => toTemplateView(record));
      const records = store.data.templates;
      if (page?.limit === undefined && page?.after === undefined) return records.map(show);
      const ordered = [...records].sort(newestFirst);
      const { after } = page;
      const start = after ? firstAfter(ordered, after) : 0;
      return ordered.slice(start, start + (page.limit ?? ordered.length)).map(show);
    },
    find,
    create,
    delete: remove,
    retry,
  };
}
