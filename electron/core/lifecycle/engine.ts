/**
 * The lifecycle engine: the one place that moves templates from Pending Verification to
 * Latest Certificate or Unable to Generate.
 *
 * - One run per template at a time (a per-template lock); each run re-reads the stored record
 *   and re-checks whether work is still needed before doing any.
 * - One timer for all templates (Scheduler). Pending templates are checked on the CNAME
 *   cadence; failed ones come back at their backoff time; attempts found at start-up are
 *   resumed (their order is reused and their TXT values cleaned up).
 * - Nothing is sent to the CA until every challenge record of the template is right.
 */
import {
  STEP_LABELS,
  type FindingView,
  type LifecycleStep,
  type TemplateView,
} from '../../../shared/types.ts';
import { nextAttemptAt } from '../acme/backoff.ts';
import { classifyAcmeError } from '../acme/problems.ts';
import { checkChallengeRecord, describeFinding } from '../dns/check.ts';
import { CertdeskError } from '../errors.ts';
import type { TemplateRecord } from '../state.ts';
import { nextCheckAt } from './cadence.ts';
import { createLimit } from './limit.ts';
import { refreshAri, renewalDecision, savePlan } from './renewal.ts';
import {
  continueAttempt,
  identifiersOf,
  removePublished,
  startAttempt,
  type IssuanceContext,
} from './issuance.ts';
import { appendAudit } from './records.ts';
import { Scheduler, systemClock, type Clock } from './scheduler.ts';

/** CAA identities of the preset CAs (RFC 8659 issuer domain names). */
const CAA_IDENTITIES: Record<string, string[]> = {
  letsencrypt: ['letsencrypt.org'],
  'letsencrypt-staging': ['letsencrypt.org'],
  zerossl: ['sectigo.com', 'zerossl.com'],
  google: ['pki.goog'],
};

/**
 * At most this many issuance attempts talk to the CA at once. Let's Encrypt's limits that
 * concurrency could touch are per IP address and per second (20 new-nonce, 250 for the other
 * endpoints); an attempt makes about ten requests over a second or more and reuses the nonce
 * of each answer, so eight at once stay far below them. The limits that count orders (300 new
 * orders per account per 3 hours, 50 certificates per registered domain per week) do not
 * depend on concurrency at all.
 */
const MAX_CONCURRENT_ATTEMPTS = 8;
/** Issued templates have their challenge records re-checked this often. */
const CNAME_RECHECK_MS = 24 * 3_600_000;
/** At most this many templates have their challenge records checked at once. */
const MAX_CONCURRENT_CHECKS = 8;
/** Start-up spacing of overdue CNAME checks, and the longest spread. */
const STARTUP_SPACING_MS = 50;
const MAX_STARTUP_SPREAD_MS = 5 * 60_000;

type Reason = 'scheduled' | 'check-now' | 'retry';

export interface Engine {
  /** Resumes stored attempts and schedules every template. */
  start(): void;
  /** Checks the challenge records now and issues if they are right. */
  checkNow(id: string): Promise<TemplateView>;
  /** Starts again now (Retry Generate), outside the backoff, but not before a CA rate limit. */
  retry(id: string): Promise<void>;
  /** Stops work on a template about to be deleted: waits for its run, removes its TXT values. */
  release(id: string): Promise<void>;
  /** Waits for runs in progress and stops the timer. */
  stop(): Promise<void>;
  /** The earliest scheduled action, for diagnostics and benchmarks. */
  next(): { key: string; at: number } | undefined;
  /** Runs whatever is due now: after the machine resumed from sleep or the clock changed. */
  wake(): void;
  /**
   * "Renew due certificates now": every template whose renewal is due or failed runs at once,
   * outside its backoff (never before a CA rate limit's Retry-After).
   */
  renewDueNow(): void;
}

export function createEngine(ctx: IssuanceContext, clock?: Clock): Engine {
  const { records, log, now } = ctx;
  // The scheduler reads the same clock as everything else the engine decides with.
  const schedulerClock: Clock = clock ?? { ...systemClock, now: () => now().getTime() };
  const running = new Map<string, Promise<void>>();
  let stopping = false;
  /** When each issued template's challenge records were last re-checked (memory only). */
  const cnameCheckedAt = new Map<string, number>();
  const attemptSlot = createLimit(MAX_CONCURRENT_ATTEMPTS);
  const checkSlot = createLimit(MAX_CONCURRENT_CHECKS);
  const scheduler = new Scheduler((ids) => {
    for (const id of ids) void run(id, 'scheduled');
  }, schedulerClock);

  function run(id: string, reason: Reason): Promise<void> {
    const previous = running.get(id) ?? Promise.resolve();
    const next = previous
      .then(() => process(id, reason))
      .catch((error: unknown) => {
        log.error('lifecycle run failed unexpectedly', {
          templateId: id,
          error: (error as Error).message,
        });
      });
    running.set(id, next);
    void next.finally(() => {
      if (running.get(id) === next) running.delete(id);
    });
    return next;
  }

  async function process(id: string, reason: Reason): Promise<void> {
    const record = records.find(id);
    if (!record) return;
    if (record.status === 'issued') return renewIfDue(id, reason === 'retry');
    const notBefore = record.notBefore ? Date.parse(record.notBefore) : 0;
    if (notBefore > now().getTime()) return scheduler.schedule(id, notBefore);
    if (record.status === 'failed' && reason === 'scheduled') {
      const due = record.failure?.nextAttemptAt
        ? Date.parse(record.failure.nextAttemptAt)
        : Infinity;
      if (due > now().getTime()) return due === Infinity ? undefined : scheduler.schedule(id, due);
    }
    if (record.attempt?.orderUrl)
      return attemptSlot(() => (stopping ? Promise.resolve() : attempt(id)));
    if (record.attempt) {
      // A dropped attempt whose TXT values could not all be removed yet.
      await removePublished(ctx, id);
      await dropCleanedAttempt(id);
    }
    const ready = await checkSlot(() =>
      stopping ? Promise.resolve(false) : challengeRecordsReady(records.find(id) as TemplateRecord),
    );
    if (!ready) return;
    return attemptSlot(() => (stopping ? Promise.resolve() : attempt(id)));
  }

  /** Checks every challenge record; keeps the template pending (and scheduled) unless all are right. */
  async function challengeRecordsReady(record: TemplateRecord): Promise<boolean> {
    const settings = ctx.settings();
    const identifiers = identifiersOf(record);
    const checkedAt = now().toISOString();
    const findings: FindingView[] = [];
    for (const challengeRecord of record.challengeRecords) {
      const finding = await checkChallengeRecord(challengeRecord, {
        resolver: settings.resolver,
        caIdentities: CAA_IDENTITIES[settings.ca.preset] ?? [],
        identifiers: identifiers.filter(
          (n) => (n.startsWith('*.') ? n.slice(2) : n) === challengeRecord.base,
        ),
      });
      findings.push({
        name: challengeRecord.name,
        expected: challengeRecord.value,
        kind: finding.kind,
        ...(finding.found ? { found: finding.found } : {}),
        message: describeFinding(finding),
        checkedAt,
      });
    }
    const blocked = findings.find((f) => f.kind === 'caa-forbids');
    const ready = findings.every((f) => f.kind === 'ok');
    const previous = records
      .findings(record)
      .map((f) => `${f.kind}:${f.found ?? ''}`)
      .join();
    if (previous !== findings.map((f) => `${f.kind}:${f.found ?? ''}`).join()) {
      log.info('challenge records checked', {
        templateId: record.id,
        name: record.commonName,
        ready,
        findings: findings.map((f) => `${f.name}=${f.kind}`).join(' '),
      });
    }
    if (blocked || ready || record.status === 'failed') {
      // The template moves on (or back to waiting): save what the check found with it.
      records.forget(record.id);
      await records.change(record.id, (r) => {
        r.checks.findings = findings;
        r.checks.lastAt = checkedAt;
        if (ready)
          appendAudit(r, {
            at: checkedAt,
            step: 'waiting-for-cname',
            outcome: 'succeeded',
            message: 'Every challenge record resolves as expected',
          });
        if (!ready && !blocked && r.status === 'failed') {
          r.status = 'pending';
          r.step = 'waiting-for-cname';
          delete r.failure;
        }
      });
    }
    if (blocked) {
      await records.fail(record.id, {
        code: 'caa-forbids',
        message: blocked.message,
        step: 'waiting-for-cname',
        name: blocked.name,
        at: checkedAt,
      });
      return false;
    }
    if (ready) return true;
    const nextAt = nextCheckAt(Date.parse(record.checks.since), now().getTime());
    records.remember(record.id, { nextCheckAt: new Date(nextAt).toISOString(), findings });
    scheduler.schedule(record.id, nextAt);
    return false;
  }

  /** When a template with a certificate next needs the engine: renewal, ARI or CNAME re-check. */
  function nextIssuedAction(record: TemplateRecord): number {
    const decision = renewalDecision(record, now());
    if (!decision) return Infinity;
    const recheck = decision.recheckAriAt?.getTime() ?? Infinity;
    const cname = (cnameCheckedAt.get(record.id) ?? 0) + CNAME_RECHECK_MS;
    return Math.min(decision.at.getTime(), recheck, cname);
  }

  /**
   * Once a day, checks that the challenge records of an issued template still resolve: a
   * CNAME removed or changed by someone would make the next renewal fail, and the
   * administrator should hear about it while there is time.
   */
  async function recheckChallengeRecords(record: TemplateRecord): Promise<void> {
    if (now().getTime() - (cnameCheckedAt.get(record.id) ?? 0) < CNAME_RECHECK_MS) return;
    cnameCheckedAt.set(record.id, now().getTime());
    const settings = ctx.settings();
    const problems: string[] = [];
    for (const challengeRecord of record.challengeRecords) {
      const finding = await checkSlot(() =>
        checkChallengeRecord(challengeRecord, {
          resolver: settings.resolver,
          identifiers: identifiersOf(record),
        }),
      );
      if (finding.kind !== 'ok' && finding.kind !== 'dns-error')
        problems.push(describeFinding(finding));
    }
    const warning = problems.length ? problems.join(' ') : undefined;
    if (warning === record.cnameWarning) return;
    await records.change(record.id, (r) => {
      if (warning) r.cnameWarning = warning;
      else delete r.cnameWarning;
    });
    log[warning ? 'warn' : 'info']('challenge records re-checked', {
      templateId: record.id,
      name: record.commonName,
      problem: warning,
    });
  }

  /** For a template with a latest certificate: resume, clean up, or renew when due. */
  async function renewIfDue(id: string, force = false): Promise<void> {
    let record = records.find(id) as TemplateRecord;
    if (record.attempt?.orderUrl)
      return attemptSlot(() => (stopping ? Promise.resolve() : attempt(id)));
    if (record.attempt) {
      await removePublished(ctx, id);
      await dropCleanedAttempt(id);
    }
    await refreshAri(record, ctx.settings().ca.directoryUrl, now(), records, log);
    await recheckChallengeRecords(records.find(id) as TemplateRecord);
    record = records.find(id) as TemplateRecord;
    const decision = renewalDecision(record, now());
    if (!decision) return;
    const recheck = decision.recheckAriAt?.getTime() ?? Infinity;
    const rateLimited = record.notBefore ? Date.parse(record.notBefore) > now().getTime() : false;
    const forced = force && Boolean(record.failure) && !rateLimited;
    if (decision.at.getTime() > now().getTime() && !forced) {
      await savePlan(record, decision, records);
      scheduler.schedule(
        id,
        Math.min(nextIssuedAction(record), Math.max(recheck, now().getTime() + 60_000)),
      );
      return;
    }
    log.info('renewal due', {
      templateId: id,
      name: record.commonName,
      reason: decision.reason,
      detail: decision.detail,
    });
    return attemptSlot(() => (stopping ? Promise.resolve() : attempt(id)));
  }

  async function attempt(id: string): Promise<void> {
    let step: LifecycleStep = 'generating-key';
    const trackingCtx: IssuanceContext = {
      ...ctx,
      records: {
        ...records,
        step: async (tid, s, message) => {
          step = s;
          log.info('step', { templateId: tid, step: s, detail: message });
          await records.step(tid, s, message);
        },
      },
    };
    try {
      await records.change(id, (r) => {
        // A renewal keeps the latest certificate (and its status) visible while it runs.
        if (!r.latestCertificate) r.status = 'pending';
        delete r.failure;
        delete r.nextCheckAt;
      });
      const stored = records.find(id)?.attempt;
      if (stored?.orderUrl) {
        step = stored.step;
        await removePublished(trackingCtx, id);
        log.info('resuming a stored attempt', { templateId: id, step, orderUrl: stored.orderUrl });
      } else {
        await startAttempt(trackingCtx, records.find(id) as TemplateRecord);
      }
      await continueAttempt(trackingCtx, id);
      await enterCleanup(trackingCtx, id);
      await finish(id);
    } catch (error) {
      await failed(id, error, step);
    }
  }

  async function enterCleanup(c: IssuanceContext, id: string): Promise<void> {
    await c.records.step(id, 'cleaning-up', 'Removing our TXT values');
    await c.afterStep?.(id, 'cleaning-up');
    await removePublished(c, id);
  }

  /** Drops a finished or abandoned attempt once all its TXT values are gone. */
  async function dropCleanedAttempt(id: string): Promise<void> {
    await records.change(id, (r) => {
      if (r.attempt && r.attempt.published.length === 0) delete r.attempt;
    });
  }

  async function finish(id: string): Promise<void> {
    const at = now().toISOString();
    await records.change(id, (r) => {
      const latest = r.certificates[r.certificates.length - 1];
      if (!latest) return;
      const { chainPem: _chain, keyRef: _key, orderUrl: _order, ...view } = latest;
      r.status = 'issued';
      r.latestCertificate = view;
      r.failures = 0;
      r.renewal = {};
      delete r.renewalPlan;
      delete r.notBefore;
      delete r.step;
      delete r.failure;
      delete r.nextCheckAt;
      if (r.attempt && r.attempt.published.length === 0) delete r.attempt;
      appendAudit(r, {
        at,
        outcome: 'succeeded',
        message: `Certificate ${view.serial} issued by ${view.issuer}, valid until ${view.notAfter.slice(0, 16).replace('T', ' ')} UTC`,
      });
    });

    await dropExpiredKeys(id);
    void ctx.certificateStored?.(id).catch((error: unknown) => {
      log.error('deployment after issuance failed', {
        templateId: id,
        error: (error as Error).message,
      });
    });
    const record = records.find(id);
    if (record) scheduler.schedule(id, now().getTime());
    log.info('certificate issued', {
      templateId: id,
      name: record?.commonName,
      serial: record?.latestCertificate?.serial,
    });
  }

  /**
   * Deletes the keys of certificates that have expired (never the latest one, never one an
   * attempt still uses): the new key is in place and the old certificate can no longer serve.
   */
  async function dropExpiredKeys(id: string): Promise<void> {
    const record = records.find(id);
    if (!record) return;
    const latest = record.certificates[record.certificates.length - 1];
    const expired = record.certificates.filter(
      (c) =>
        c !== latest &&
        Date.parse(c.notAfter) < now().getTime() &&
        c.keyRef !== latest?.keyRef &&
        c.keyRef !== record.attempt?.keyRef &&
        record.secretRefs.includes(c.keyRef),
    );
    const dropped: string[] = [];
    for (const cert of expired) {
      try {
        await ctx.secrets.delete(cert.keyRef);
        dropped.push(cert.keyRef);
      } catch (error) {
        log.warn('could not delete an expired certificate key', {
          templateId: id,
          error: (error as Error).message,
        });
      }
    }
    if (dropped.length) {
      await records.change(id, (r) => {
        r.secretRefs = r.secretRefs.filter((ref) => !dropped.includes(ref));
      });
    }
  }

  /** Engine-level errors that also mean the next attempt needs a new order. */
  const NEW_ORDER_CODES = ['ca-order-invalid', 'key-missing', 'certificate-mismatch'];

  function classify(error: unknown, step: LifecycleStep) {
    const result = classifyAcmeError(error, { step });
    return {
      ...result,
      newOrderNeeded: result.newOrderNeeded || NEW_ORDER_CODES.includes(result.error.code),
    };
  }

  async function failed(id: string, raw: unknown, step: LifecycleStep): Promise<void> {
    const { error, retryAfterMs, newOrderNeeded } = classify(raw, step);
    await removePublished(ctx, id);
    const record = records.find(id);
    if (!record) return;
    const at = now();
    const renewal = record.latestCertificate
      ? renewalDecision(record, at, {
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          rateLimited: error.code === 'ca-rate-limited',
        })
      : null;
    const next = renewal
      ? renewal.at
      : error.retryable
        ? nextAttemptAt({
            failures: record.failures + 1,
            now: at,
            rateLimited: error.code === 'ca-rate-limited',
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          })
        : undefined;
    if (!error.retryable || newOrderNeeded) await abandonAttempt(id);
    await records.change(id, (r) => {
      if (error.code === 'ca-rate-limited' && next) r.notBefore = next.toISOString();
      if (r.latestCertificate) {
        const rateLimited = error.code === 'ca-rate-limited';
        r.renewal = { ...r.renewal, lastFailureAt: at.toISOString(), rateLimited };
      }
    });
    await records.fail(id, {
      code: error.code,
      message: error.message,
      // The engine knows the lifecycle step; lower layers name their own operation.
      step: error.step && error.step in STEP_LABELS ? (error.step as LifecycleStep) : step,
      ...(error.identifier ? { name: error.identifier } : {}),
      at: at.toISOString(),
      ...(next ? { nextAttemptAt: next.toISOString() } : {}),
    });
    log.warn('attempt failed', {
      templateId: id,
      name: record.commonName,
      step,
      code: error.code,
      detail: error.detail,
      retryInMs: next ? next.getTime() - at.getTime() : undefined,
    });
    if (next) scheduler.schedule(id, next.getTime());
  }

  /** Drops an attempt that cannot be resumed, and its key (no certificate uses it). */
  async function abandonAttempt(id: string): Promise<void> {
    const record = records.find(id);
    const keyRef = record?.attempt?.keyRef;
    if (keyRef && !record.certificates.some((c) => c.keyRef === keyRef)) {
      try {
        await ctx.secrets.delete(keyRef);
      } catch (error) {
        log.warn('could not delete an unused key from the keychain', {
          templateId: id,
          error: (error as Error).message,
        });
        return;
      }
    }
    await records.change(id, (r) => {
      if (keyRef)
        r.secretRefs = r.secretRefs.filter(
          (ref) => ref !== keyRef || r.certificates.some((c) => c.keyRef === ref),
        );
      if (r.attempt?.published.length) {
        r.attempt = { ...r.attempt, step: 'cleaning-up' };
        delete r.attempt.orderUrl;
        delete r.attempt.keyRef;
      } else delete r.attempt;
    });
  }

  return {
    start() {
      const nowMs = now().getTime();
      const overdue: string[] = [];
      for (const t of ctx.records.all()) {
        if (t.attempt) scheduler.schedule(t.id, nowMs);
        else if (t.status === 'pending') overdue.push(t.id);
        else if (t.status === 'failed' && t.failure?.nextAttemptAt)
          scheduler.schedule(t.id, Date.parse(t.failure.nextAttemptAt));
        else if (t.status === 'issued') {
          const at = nextIssuedAction(t);
          if (at <= nowMs) overdue.push(t.id);
          else scheduler.schedule(t.id, at);
        }
      }
      // Work that came due while Certdesk was closed is spread over a few minutes, so a large
      // inventory does not send thousands of DNS queries in the first second.
      const spreadMs = Math.min(overdue.length * STARTUP_SPACING_MS, MAX_STARTUP_SPREAD_MS);
      overdue.forEach((id, i) =>
        scheduler.schedule(id, nowMs + (overdue.length > 1 ? (i / overdue.length) * spreadMs : 0)),
      );
    },
    async checkNow(id) {
      const record = records.find(id);
      if (!record)
        throw new CertdeskError({
          code: 'not-found',
          message: `There is no template with id ${id}.`,
        });
      await run(id, 'check-now');
      return records.view(records.find(id) ?? record);
    },
    async retry(id) {
      scheduler.cancel(id);
      await records.change(id, (r) => {
        r.checks = { since: now().toISOString(), findings: r.checks.findings };
      });
      void run(id, 'retry');
    },
    async release(id) {
      scheduler.cancel(id);
      records.forget(id);
      await running.get(id);
      await removePublished(ctx, id);
      scheduler.cancel(id);
    },
    async stop() {
      // Work still waiting for a slot is dropped; runs in progress finish their current step.
      stopping = true;
      scheduler.stop();
      await Promise.allSettled([...running.values()]);
    },
    next: () => scheduler.next(),
    wake: () => scheduler.wake(),
    renewDueNow() {
      for (const t of records.all()) {
        if (t.status === 'failed' || (t.status === 'issued' && t.failure)) void run(t.id, 'retry');
        else if (t.status === 'issued') void run(t.id, 'scheduled');
      }
    },
  };
}
