/**
 * Changes to a template record made by the lifecycle engine, each one store update, each one
 * announced to the windows. Reads always go to the store's current document, never to a copy
 * that another step may have replaced.
 */
import type {
  AuditEntry,
  FailureView,
  LifecycleStep,
  TemplateView,
} from '../../../shared/types.ts';
import type { CoreEvents } from '../events.ts';
import type { StoreDocument, TemplateRecord } from '../state.ts';
import type { Store } from '../store/index.ts';

/** Most audit lines kept per template; older ones are dropped first. */
export const AUDIT_LIMIT = 100;

/** The renderer's view of a record: no keychain references, no chains, no attempt state. */
export function toTemplateView(record: TemplateRecord): TemplateView {
  const view: TemplateView = {
    id: record.id,
    commonName: record.commonName,
    altNames: record.altNames,
    keyType: record.keyType,
    createdAt: record.createdAt,
    status: record.status,
    challengeRecords: record.challengeRecords,
  };
  for (const key of [
    'country',
    'locality',
    'organization',
    'step',
    'latestCertificate',
    'failure',
    'nextCheckAt',
  ] as const) {
    if (record[key] !== undefined) (view as unknown as Record<string, unknown>)[key] = record[key];
  }
  return view;
}

/** Appends an audit line, keeping at most AUDIT_LIMIT. */
export function appendAudit(record: TemplateRecord, entry: AuditEntry): void {
  record.audit.push(entry);
  if (record.audit.length > AUDIT_LIMIT) record.audit.splice(0, record.audit.length - AUDIT_LIMIT);
}

export interface RecordWriter {
  find(id: string): TemplateRecord | undefined;
  /** Every stored template. */
  all(): readonly TemplateRecord[];
  /** Applies `change` to the stored record (if it still exists), saves, announces. */
  change(id: string, change: (record: TemplateRecord) => void): Promise<TemplateRecord | undefined>;
  /** Moves to a step: saved before the step runs, with an audit line. */
  step(id: string, step: LifecycleStep, message: string): Promise<void>;
  /** Unable to Generate, with the reason and the next automatic attempt, if any. */
  fail(id: string, failure: FailureView): Promise<void>;
}

export function createRecordWriter(
  store: Store<StoreDocument>,
  events: CoreEvents,
  now: () => Date,
): RecordWriter {
  const find = (id: string) => store.data.templates.find((t) => t.id === id);

  async function change(id: string, apply: (record: TemplateRecord) => void) {
    let changed: TemplateRecord | undefined;
    await store.update((doc) => {
      const record = doc.templates.find((t) => t.id === id);
      if (!record) return;
      apply(record);
      changed = record;
    });
    const current = find(id);
    if (changed && current) events.emit('templateChanged', toTemplateView(current));
    return current;
  }

  return {
    find,
    all: () => store.data.templates,
    change,
    step: async (id, step, message) => {
      await change(id, (record) => {
        record.step = step;
        if (record.attempt) record.attempt.step = step;
        appendAudit(record, { at: now().toISOString(), step, outcome: 'info', message });
      });
    },
    fail: async (id, failure) => {
      await change(id, (record) => {
        record.status = 'failed';
        record.failure = failure;
        delete record.step;
        delete record.nextCheckAt;
        record.failures += 1;
        const entry: AuditEntry = { at: failure.at, outcome: 'failed', message: failure.message };
        if (failure.step) entry.step = failure.step;
        appendAudit(record, entry);
      });
    },
  };
}
