/**
 * Fills a data folder with many templates at once, for the 10,000-template list tests and
 * benchmarks. It writes through the durable store (one write), with challenge records made the
 * same way as for real templates, before the core opens the folder.
 */
import { randomUUID } from 'node:crypto';
import {
  MIGRATIONS,
  SCHEMA_VERSION,
  newDocument,
  newTemplateFields,
  validateDocument,
  type StoreDocument,
  type TemplateRecord,
} from '../core/state.ts';
import { openDurableStore } from '../core/store/index.ts';
import { planChallengeRecords } from '../core/templates/challenge-records.ts';

const STATUSES: TemplateRecord['status'][] = ['pending', 'pending', 'failed'];

/** A realistic template record for host `i`. */
export function seedRecord(i: number, zone: string, createdAt: Date): TemplateRecord {
  const commonName = `host${i}.customer${i % 97}.example`;
  const altNames =
    i % 3 === 0
      ? [`*.host${i}.customer${i % 97}.example`, `www${i}.customer${i % 97}.example`]
      : [];
  const status = STATUSES[i % STATUSES.length] ?? 'pending';
  const record: TemplateRecord = {
    id: randomUUID(),
    commonName,
    altNames,
    keyType: 'ecdsa-p256',
    ...newTemplateFields(new Date(createdAt.getTime() - i * 60_000).toISOString()),
    status,
    challengeRecords: planChallengeRecords([commonName, ...altNames], zone),
  };
  if (status === 'failed') {
    record.failure = {
      code: 'dns-not-delegated',
      message: `_acme-challenge.${commonName} has no CNAME record yet.`,
      at: createdAt.toISOString(),
    };
    delete record.step;
  }
  return record;
}

export async function seedTemplates(dataDir: string, count: number): Promise<void> {
  const store = await openDurableStore<StoreDocument>({
    dir: dataDir,
    schemaVersion: SCHEMA_VERSION,
    migrations: MIGRATIONS,
    validate: validateDocument,
    defaults: newDocument,
  });
  try {
    const dns = store.data.settings.dns;
    const zone = dns?.kind === 'rfc2136' ? dns.zone : 'validation.example';
    const now = new Date();
    await store.update((doc) => {
      for (let i = 0; i < count; i += 1) doc.templates.push(seedRecord(i, zone, now));
    });
  } finally {
    await store.close();
  }
}
