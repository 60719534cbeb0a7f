/**
 * Changes to a template record made by the lifecycle engine, each one store update, each one
 * announced to the windows. Reads always go to the store's current document, never to a copy
 * that another step may have replaced.
 */
import type {
  AuditEntry,
  FailureView,
  FindingView,
  LifecycleStep,
  TemplateView,
} from '../../../shared/types.ts';
import type { CoreEvents } from '../events.ts';
import type { StoreDocument, TemplateRecord } from '../state.ts';
import type { Store } from '../store/index.ts';

/** Most audit lines kept per template; older ones are dropped first. */
export const AUDIT_LIMIT = 100;

/**
 * What the latest CNAME check found, kept in memory only: checks run every 30 seconds to every
 * hour for every waiting template, and saving a 10,000-template store after each would cost
 * far more than the result is worth. It is saved with the record when the template moves on.
 */
export interface CheckMemo {
  nextCheckAt?: string;
  findings: FindingView[];
}

/** The renderer's view of a record: no keychain references, no chains, no attempt state. */
export function toTemplateView(record: TemplateRecord, memo?: CheckMemo): TemplateView {
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
    'reuseKey',
    'country',
    'locality',
    'organization',
    'step',
    'latestCertificate',
    'failure',
    'nextCheckAt',
    'renewalPlan',
    'cnameWarning',
  ] as const) {
    if (record[key] !== undefined) (view as unknown as Record<string, unknown>)[key] = record[key];
  }
  if (memo?.nextCheckAt && record.status === 'pending' && !record.attempt)
    view.nextCheckAt = memo.nextCheckAt;
  return view;
}

/** Appends an audit line, keeping at most AUDIT_LIMIT. */
export function appendAudit(record: TemplateRecord, entry: AuditEntry): void {
  record.audit.push(entry);
  if (record.audit.length > AUDIT_LIMIT) record.audit.splice(0, record.audit.length - AUDIT_LIMIT);
}

export interface RecordWriter {
  find(id: string): TemplateRecord | undefined;
  /** The view of a record, with its in-memory check results. */
  view(record: TemplateRecord): TemplateView;
  /** Latest check results of a template (memory first, then what was saved). */
  findings(record: TemplateRecord): FindingView[];
  /** Records a check result in memory and announces the changed view; no store write. */
  remember(id: string, memo: CheckMemo): void;
  /** Forgets the in-memory check result (the template moved on or was deleted). */
  forget(id: string): void;
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
  const memos = new Map<string, CheckMemo>();
  const find = (id: string) => store.data.templates.find((t) => t.id === id);
  const view = (record: TemplateRecord) => toTemplateView(record, memos.get(record.id));

  async function change(id: string, apply: (record: TemplateRecord) => void) {
    let changed: TemplateRecord | undefined;
    await store.update((doc) => {
      const record = doc.templates.find((t) => t.id === id);
      if (!record) return;
      apply(record);
      changed = record;
    });
    const current = find(id);
    if (changed && current) events.emit('templateChanged', view(current));
    return current;
  }

  return {
    find,
    view,
    findings: (record) => memos.get(record.id)?.findings ?? record.checks.findings,
    remember(id, memo) {
      memos.set(id, memo);
      const record = find(id);
      if (record) events.emit('templateChanged', view(record));
    },
    forget: (id) => void memos.delete(id),
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
        // A failed renewal keeps the latest certificate in place and visible.
        record.status = record.latestCertificate ? 'issued' : 'failed';
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
