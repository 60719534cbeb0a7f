/**
 * Renewal planning for templates that have a latest certificate: what the CA says through ARI
 * (RFC 9773), refreshed at least daily, and the due time from the one decision function in
 * renewal/policy.ts. The plan is saved only when it changes, so 10,000 issued templates cost
 * nothing while nothing is due.
 */
import type { RenewalView } from '../../../shared/types.ts';
import type { Logger } from '../log.ts';
import {
  ariCertId,
  decideRenewal,
  fetchRenewalInfo,
  stableRandom,
  type RenewalDecision,
} from '../renewal/index.ts';
import type { RenewalState, TemplateRecord } from '../state.ts';
import type { RecordWriter } from './records.ts';

const DAY = 86_400_000;

/** The decision for a record's latest certificate, from its saved renewal state. */
export function renewalDecision(
  record: TemplateRecord,
  now: Date,
  extraFailure?: { retryAfterMs?: number; rateLimited?: boolean },
): RenewalDecision | null {
  const cert = record.latestCertificate;
  if (!cert) return null;
  const state = record.renewal ?? {};
  const failures = record.failures + (extraFailure ? 1 : 0);
  return decideRenewal({
    notBefore: new Date(cert.notBefore),
    notAfter: new Date(cert.notAfter),
    now,
    ...(state.ari
      ? {
          ari: {
            windowStart: new Date(state.ari.windowStart),
            windowEnd: new Date(state.ari.windowEnd),
            ...(state.ari.selectedAt ? { selectedAt: new Date(state.ari.selectedAt) } : {}),
          },
        }
      : {}),
    failures,
    ...(extraFailure
      ? { lastFailureAt: now }
      : state.lastFailureAt
        ? { lastFailureAt: new Date(state.lastFailureAt) }
        : {}),
    ...(extraFailure?.retryAfterMs !== undefined
      ? { retryAfterMs: extraFailure.retryAfterMs }
      : {}),
    rateLimited: extraFailure?.rateLimited ?? state.rateLimited ?? false,
    random: stableRandom(cert.fingerprintSha256),
  });
}

/** Asks the CA for the renewal window when due (at most daily); failures keep the old answer. */
export async function refreshAri(
  record: TemplateRecord,
  directoryUrl: string,
  now: Date,
  records: RecordWriter,
  log: Logger,
): Promise<void> {
  const cert = record.certificates[record.certificates.length - 1];
  const state = record.renewal ?? {};
  if (!cert || (state.ariNextAt && Date.parse(state.ariNextAt) > now.getTime())) return;
  let certId = state.certId;
  try {
    certId ??= ariCertId(cert.chainPem);
  } catch {
    await records.change(record.id, (r) => {
      r.renewal = {
        ...r.renewal,
        ariOffered: false,
        ariNextAt: new Date(now.getTime() + DAY).toISOString(),
      };
    });
    return;
  }
  try {
    const result = await fetchRenewalInfo(directoryUrl, certId);
    const next: RenewalState = { ...state, certId, ariOffered: result.offered };
    if (result.info) {
      const keep = state.ari?.selectedAt;
      next.ari = {
        windowStart: result.info.windowStart.toISOString(),
        windowEnd: result.info.windowEnd.toISOString(),
        ...(keep ? { selectedAt: keep } : {}),
      };
    } else delete next.ari;
    const retry = result.info?.retryAfter ?? (result.info ? undefined : result.retryAfter);
    next.ariNextAt = new Date(
      Math.min(retry ? retry.getTime() : Infinity, now.getTime() + DAY / 2),
    ).toISOString();
    await records.change(record.id, (r) => {
      r.renewal = next;
    });
  } catch (error) {
    log.warn('could not ask the CA for renewal information; keeping the last answer', {
      templateId: record.id,
      error: (error as Error).message,
    });
  }
}

/** Saves the decision (when it changed) so the view shows when and why the renewal happens. */
export async function savePlan(
  record: TemplateRecord,
  decision: RenewalDecision,
  records: RecordWriter,
): Promise<void> {
  const plan: RenewalView = {
    dueAt: decision.at.toISOString(),
    reason: decision.reason,
    detail: decision.detail,
  };
  const selectedAt = decision.selectedAt?.toISOString();
  const same =
    record.renewalPlan?.dueAt === plan.dueAt &&
    record.renewalPlan.reason === plan.reason &&
    record.renewal?.ari?.selectedAt === selectedAt;
  if (same) return;
  await records.change(record.id, (r) => {
    r.renewalPlan = plan;
    if (selectedAt && r.renewal?.ari) r.renewal.ari.selectedAt = selectedAt;
  });
}
