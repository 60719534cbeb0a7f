/**
 * The issuance steps of one template, in order:
 *
 *   generate the key → create the order → publish the TXT value(s) → confirm they are visible →
 *   answer the challenge(s) → finalize with the CSR → download the chain → store the
 *   certificate → remove our TXT value(s)
 *
 * Each step saves what the next one needs before it runs (the key reference before the CSR
 * leaves, the order URL before any challenge is answered, each TXT value before it is
 * published), so `continueAttempt` can pick up a stored attempt after a crash and finish the
 * same order instead of creating another.
 */
import { randomUUID } from 'node:crypto';
import { challengeName } from '../../../shared/names.ts';
import type { LifecycleStep } from '../../../shared/types.ts';
import { describeCertificate, verifyIssuedCertificate } from '../acme/certificate.ts';
import { createCsr } from '../acme/csr.ts';
import { createRenewalOrder } from '../renewal/index.ts';
import { generateKeyPemAsync, keyTypeRefusal } from '../acme/keys.ts';
import type { AcmeSession, OrderSnapshot } from '../acme/session.ts';
import { authoritativeServersOf, waitForTxtVisible } from '../dns/check.ts';
import type { ChallengeDnsProvider, TxtRecordRef } from '../dns/provider.ts';
import { CertdeskError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SecretStore } from '../secrets/keychain.ts';
import type { StoredSettings, StoredCertificate, TemplateRecord } from '../state.ts';
import type { RecordWriter } from './records.ts';

/** How long Certdesk waits for its TXT values to be served before giving up the attempt. */
export const TXT_VISIBLE_TIMEOUT_MS = 120_000;
/** How long the CA may take to validate or to issue. */
export const CA_WAIT_TIMEOUT_MS = 180_000;

export interface IssuanceContext {
  records: RecordWriter;
  secrets: SecretStore;
  settings: () => StoredSettings;
  acme: () => Promise<AcmeSession>;
  /** The provider that writes this template's TXT values. */
  dnsProvider: (templateId: string) => Promise<ChallengeDnsProvider>;
  log: Logger;
  now: () => Date;
  /** Told when a template's new certificate is stored (deploys it to the template's sites). */
  certificateStored?: (templateId: string) => Promise<void>;
  /** Test hook: runs after each step is saved, before the next one starts. */
  afterStep?: (templateId: string, step: LifecycleStep) => void | Promise<void>;
}

/** Identifiers of a template: common name first. */
export function identifiersOf(record: TemplateRecord): string[] {
  return [record.commonName, ...record.altNames];
}

async function enter(ctx: IssuanceContext, id: string, step: LifecycleStep, message: string) {
  await ctx.records.step(id, step, message);
  await ctx.afterStep?.(id, step);
}

/** Starts a new attempt: a fresh key in the keychain, saved before anything leaves. */
export async function startAttempt(ctx: IssuanceContext, record: TemplateRecord): Promise<void> {
  const refusal = keyTypeRefusal(record.keyType, ctx.secrets.maxSecretBytes);
  if (refusal)
    throw new CertdeskError({
      code: 'key-type-unsupported',
      message: refusal,
      step: 'generating-key',
    });
  const attemptId = randomUUID();
  await ctx.records.change(record.id, (r) => {
    // Values an earlier attempt could not remove yet stay listed, so they are still cleaned up.
    const leftover = r.attempt?.published ?? [];
    r.attempt = {
      id: attemptId,
      startedAt: ctx.now().toISOString(),
      step: 'generating-key',
      published: leftover,
    };
  });
  const reused = record.reuseKey ? await reusableKey(ctx, record) : null;
  if (reused) {
    await enter(
      ctx,
      record.id,
      'generating-key',
      'Reusing the private key of the latest certificate',
    );
    await ctx.records.change(record.id, (r) => {
      if (r.attempt) r.attempt.keyRef = reused;
    });
    return;
  }
  await enter(ctx, record.id, 'generating-key', `Generating a ${record.keyType} key`);
  const keyRef = `template:${record.id}:key:${attemptId}`;
  await ctx.secrets.set(keyRef, await generateKeyPemAsync(record.keyType));
  await ctx.records.change(record.id, (r) => {
    if (r.attempt) r.attempt.keyRef = keyRef;
    if (!r.secretRefs.includes(keyRef)) r.secretRefs.push(keyRef);
  });
}

/** The latest certificate's key, when the template keeps its key and the keychain still has it. */
async function reusableKey(ctx: IssuanceContext, record: TemplateRecord): Promise<string | null> {
  const latest = record.certificates[record.certificates.length - 1];
  if (!latest || latest.keyType !== record.keyType) return null;
  return (await ctx.secrets.get(latest.keyRef)) ? latest.keyRef : null;
}

/**
 * The ACME profile to order: a renewal keeps the profile its certificate was ordered with;
 * a first certificate uses the one chosen in Settings.
 */
function profileFor(ctx: IssuanceContext, record: TemplateRecord): string | undefined {
  const latest = record.certificates[record.certificates.length - 1];
  return latest ? latest.profile : ctx.settings().ca.profile;
}

async function keyOf(ctx: IssuanceContext, record: TemplateRecord): Promise<string> {
  const keyRef = record.attempt?.keyRef;
  const pem = keyRef ? await ctx.secrets.get(keyRef) : null;
  if (!pem) {
    throw new CertdeskError({
      code: 'key-missing',
      message: `The private key of this attempt is no longer in the keychain; Retry Generate starts a new attempt with a new key.`,
      step: 'finalizing',
      name: record.commonName,
    });
  }
  return pem;
}

function targetOf(record: TemplateRecord, identifier: string): string {
  const base = identifier.startsWith('*.') ? identifier.slice(2) : identifier;
  const target = record.challengeRecords.find((r) => r.base === base)?.value;
  if (!target) {
    throw new CertdeskError({
      code: 'ca-unexpected-identifier',
      message: `The CA asked to validate ${identifier}, which this template does not contain.`,
      step: 'publishing-txt',
      name: identifier,
    });
  }
  return target;
}

async function publish(
  ctx: IssuanceContext,
  record: TemplateRecord,
  refs: TxtRecordRef[],
): Promise<void> {
  await ctx.records.change(record.id, (r) => {
    for (const ref of refs) {
      if (!r.attempt?.published.some((p) => p.fqdn === ref.fqdn && p.value === ref.value))
        r.attempt?.published.push(ref);
    }
  });
  const provider = await ctx.dnsProvider(record.id);
  for (const ref of refs) await provider.publishTxt(ref);
}

async function confirmVisible(
  ctx: IssuanceContext,
  refs: { ref: TxtRecordRef; identifier: string }[],
) {
  const settings = ctx.settings();
  const dns = settings.dns;
  // The RFC 2136 primary, plus (with the system resolver) every nameserver of the zone.
  const authoritative = dns?.kind === 'rfc2136' ? [{ host: dns.server, port: dns.port }] : [];
  if (dns?.kind === 'rfc2136') {
    for (const server of await authoritativeServersOf(dns.zone, settings.resolver)) {
      if (!authoritative.some((a) => a.host === server.host && a.port === server.port))
        authoritative.push(server);
    }
  }
  for (const { ref, identifier } of refs) {
    await waitForTxtVisible({
      fqdn: ref.fqdn,
      challengeName: challengeName(identifier),
      value: ref.value,
      authoritative,
      resolver: settings.resolver,
      timeoutMs: TXT_VISIBLE_TIMEOUT_MS,
      intervalMs: 1000,
    });
  }
}

/** Publishes, confirms and answers every challenge the order still needs. */
async function solveChallenges(
  ctx: IssuanceContext,
  session: AcmeSession,
  id: string,
  order: OrderSnapshot,
) {
  const record = ctx.records.find(id) as TemplateRecord;
  const open = (await session.dnsChallenges(order)).filter(
    (c) => c.authorizationStatus !== 'valid',
  );
  if (open.length === 0) return;
  const refs = open.map((c) => ({
    challenge: c,
    identifier: c.identifier,
    ref: { fqdn: targetOf(record, c.identifier), value: c.txtValue },
  }));
  await enter(
    ctx,
    id,
    'publishing-txt',
    `Publishing ${refs.length} TXT value(s) in the validation zone`,
  );
  await publish(
    ctx,
    record,
    refs.map((r) => r.ref),
  );
  await enter(
    ctx,
    id,
    'confirming-txt',
    'Confirming the TXT values are visible through the CNAME records',
  );
  await confirmVisible(ctx, refs);
  await enter(ctx, id, 'ca-validating', 'Answering the challenges; the CA is validating');
  for (const { challenge } of refs) {
    if (challenge.challengeStatus === 'pending') await session.answerChallenge(challenge);
  }
  await session.waitForAuthorizationsValid(order, { timeoutMs: CA_WAIT_TIMEOUT_MS });
}

async function storeCertificate(
  ctx: IssuanceContext,
  id: string,
  chainPem: string,
  orderUrl: string,
) {
  const record = ctx.records.find(id) as TemplateRecord;
  const keyPem = await keyOf(ctx, record);
  verifyIssuedCertificate({ chainPem, keyPem, identifiers: identifiersOf(record), now: ctx.now() });
  const facts = describeCertificate(chainPem);
  const certificate: StoredCertificate = {
    id: randomUUID(),
    issuedAt: ctx.now().toISOString(),
    commonName: facts.commonName ?? record.commonName,
    altNames: facts.names.filter((n) => n !== (facts.commonName ?? record.commonName)),
    issuer: facts.issuer,
    serial: facts.serial,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    fingerprintSha256: facts.fingerprintSha256,
    keyType: record.keyType,
    chainPem,
    keyRef: record.attempt?.keyRef as string,
    orderUrl,
    ...(record.attempt?.profile ? { profile: record.attempt.profile } : {}),
  };
  await enter(ctx, id, 'storing', `Storing certificate ${certificate.serial}`);
  await ctx.records.change(id, (r) => {
    if (!r.certificates.some((c) => c.orderUrl === orderUrl)) r.certificates.push(certificate);
  });
}

/** Carries a stored attempt to a stored certificate, resuming its order when it has one. */
export async function continueAttempt(ctx: IssuanceContext, id: string): Promise<void> {
  const session = await ctx.acme();
  let record = ctx.records.find(id) as TemplateRecord;
  if (!record.attempt?.orderUrl) {
    await enter(
      ctx,
      id,
      'creating-order',
      `Creating an order for ${identifiersOf(record).join(', ')}`,
    );
    // A renewal names the certificate it replaces when the CA offers ARI (RFC 9773), which
    // exempts it from rate limits at Let's Encrypt; createRenewalOrder retries without it once
    // when the CA says that certificate was already replaced.
    const replaces = record.renewal?.ariOffered ? record.renewal.certId : undefined;
    const profile = profileFor(ctx, record);
    const options = { ...(profile ? { profile } : {}) };
    const created = replaces
      ? (
          await createRenewalOrder(session, identifiersOf(record), {
            ...options,
            replaces,
            logger: ctx.log,
          })
        ).order
      : await session.createOrder(identifiersOf(record), options);
    await ctx.records.change(id, (r) => {
      if (r.attempt) {
        r.attempt.orderUrl = created.url;
        if (profile) r.attempt.profile = profile;
      }
    });
    ctx.log.info('order created', { templateId: id, orderUrl: created.url });
    record = ctx.records.find(id) as TemplateRecord;
  }
  const orderUrl = record.attempt?.orderUrl as string;
  if (record.certificates.some((c) => c.orderUrl === orderUrl)) return; // stored before a crash
  let order = await session.getOrder(orderUrl);
  for (let round = 0; round < 6; round += 1) {
    if (order.status === 'pending') {
      await solveChallenges(ctx, session, id, order);
      order = await session.getOrder(orderUrl);
    } else if (order.status === 'ready') {
      await enter(ctx, id, 'finalizing', 'Sending the CSR to the CA');
      const current = ctx.records.find(id) as TemplateRecord;
      const csr = await createCsr(
        {
          commonName: current.commonName,
          altNames: current.altNames,
          country: current.country,
          locality: current.locality,
          organization: current.organization,
        },
        await keyOf(ctx, current),
      );
      order = await session.finalize(order, csr);
    } else if (order.status === 'processing') {
      order = await session.waitForOrderValid(order, { timeoutMs: CA_WAIT_TIMEOUT_MS });
    } else if (order.status === 'valid') {
      await enter(ctx, id, 'downloading', 'Downloading the certificate chain');
      return storeCertificate(ctx, id, await session.downloadCertificate(order), orderUrl);
    } else {
      throw new CertdeskError({
        code: 'ca-order-invalid',
        message: `The CA marked the order for ${identifiersOf(record).join(', ')} invalid; the next attempt starts a new order.`,
        step: 'ca-validating',
        retryable: true,
      });
    }
  }
  throw new CertdeskError({
    code: 'ca-order-stuck',
    message: `The order ${orderUrl} did not reach a final state.`,
    retryable: true,
  });
}

/** Removes every TXT value the attempt published; failures are logged, never thrown. */
export async function removePublished(ctx: IssuanceContext, id: string): Promise<void> {
  const published = ctx.records.find(id)?.attempt?.published ?? [];
  if (published.length === 0) return;
  const removed: TxtRecordRef[] = [];
  try {
    const provider = await ctx.dnsProvider(id);
    for (const ref of published) {
      try {
        await provider.removeTxt(ref);
        removed.push(ref);
      } catch (error) {
        ctx.log.warn('could not remove a TXT value; will try again', {
          templateId: id,
          fqdn: ref.fqdn,
          error: (error as Error).message,
        });
      }
    }
  } catch (error) {
    ctx.log.warn('no DNS provider to remove TXT values with', {
      templateId: id,
      error: (error as Error).message,
    });
  }
  await ctx.records.change(id, (r) => {
    if (!r.attempt) return;
    r.attempt.published = r.attempt.published.filter(
      (p) => !removed.some((x) => x.fqdn === p.fqdn && x.value === p.value),
    );
  });
}
