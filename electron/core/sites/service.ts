/**
 * Sites: where a template's certificates go. Linking a template to a site is done once, after
 * checking its latest certificate covers every host; from then on every new certificate of the
 * template is deployed there by itself (folder, optional PFX, post-deploy command) and the live
 * site is checked. Each deployment's result is kept on the site and shown.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ParsedRequest } from '../../../shared/contract.ts';
import type { DeploymentView, SiteView } from '../../../shared/types.ts';
import { CertdeskError } from '../errors.ts';
import type { CoreEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { SecretStore } from '../secrets/keychain.ts';
import type { SiteRecord, StoreDocument, TemplateRecord } from '../state.ts';
import type { Store } from '../store/index.ts';
import { coverageMessage, normalizeHosts, uncoveredHosts } from './coverage.ts';
import { deployToFolder } from './deploy.ts';
import { checkSite } from './live-check.ts';
import { runPostDeploy } from './post-deploy.ts';

/** Post-deploy commands get this long before they are stopped. */
const POST_DEPLOY_TIMEOUT_MS = 60_000;
/** A server reloading after deployment may serve the old certificate for a moment. */
const LIVE_CHECK_ATTEMPTS = 4;
const LIVE_CHECK_PAUSE_MS = 2_000;

export interface SiteService {
  list(): SiteView[];
  save(input: ParsedRequest<'saveSite'>): Promise<SiteView>;
  remove(id: string): Promise<{ id: string }>;
  link(siteId: string, templateId: string): Promise<SiteView>;
  deployNow(siteId: string): Promise<SiteView>;
  /** Called after a template's new certificate is stored: deploys it to its sites. */
  certificateStored(templateId: string): Promise<void>;
}

export function toSiteView(site: SiteRecord): SiteView {
  const { pfxPasswordRef: _ref, ...view } = site;
  return structuredClone(view);
}

function notFound(what: string, id: string): CertdeskError {
  return new CertdeskError({ code: 'not-found', message: `There is no ${what} with id ${id}.` });
}

export function createSiteService(deps: {
  store: Store<StoreDocument>;
  secrets: SecretStore;
  events: CoreEvents;
  log: Logger;
  now: () => Date;
  /** Options for live checks; tests point connections at 127.0.0.1. */
  liveCheck?: { connectHost?: string; timeoutMs?: number; pauseMs?: number };
}): SiteService {
  const { store, secrets, events, log, now } = deps;
  const find = (id: string) => store.data.sites.find((s) => s.id === id);
  const template = (id: string) => store.data.templates.find((t) => t.id === id);
  const announce = (id: string) => {
    const site = find(id);
    if (site) events.emit('siteChanged', toSiteView(site));
    return site ? toSiteView(site) : undefined;
  };

  async function save(input: ParsedRequest<'saveSite'>): Promise<SiteView> {
    const hosts = normalizeHosts(input.hosts);
    const existing = input.id ? find(input.id) : undefined;
    if (input.id && !existing) throw notFound('site', input.id);
    const id = existing?.id ?? randomUUID();
    let pfxPasswordRef = existing?.pfxPasswordRef;
    if (input.pfx && !pfxPasswordRef) {
      pfxPasswordRef = `site:${id}:pfx-password`;
      await secrets.set(pfxPasswordRef, randomBytes(24).toString('base64url'));
    }
    const site: SiteRecord = {
      id,
      name: input.name,
      hosts,
      port: input.port,
      folder: input.folder,
      pfx: input.pfx,
      templateIds: existing?.templateIds ?? [],
      ...(input.postDeploy?.length ? { postDeploy: input.postDeploy } : {}),
      ...(pfxPasswordRef ? { pfxPasswordRef } : {}),
      ...(existing?.lastDeployment ? { lastDeployment: existing.lastDeployment } : {}),
    };
    await store.update((doc) => {
      doc.sites = [...doc.sites.filter((s) => s.id !== id), site];
    });
    log.info('site saved', {
      siteId: id,
      name: site.name,
      hosts: hosts.join(' '),
      folder: site.folder,
    });
    return announce(id) as SiteView;
  }

  async function deploy(siteId: string, record: TemplateRecord): Promise<void> {
    const site = find(siteId);
    const cert = record.certificates[record.certificates.length - 1];
    if (!site || !cert) return;
    const result: DeploymentView = {
      at: now().toISOString(),
      templateId: record.id,
      certificateSerial: cert.serial,
      ok: false,
      files: [],
      liveChecks: [],
    };
    try {
      const keyPem = await secrets.get(cert.keyRef);
      if (!keyPem)
        throw new CertdeskError({
          code: 'key-missing',
          message: `The private key of certificate ${cert.serial} is not in the keychain.`,
        });
      const password =
        site.pfx && site.pfxPasswordRef ? await secrets.get(site.pfxPasswordRef) : null;
      const deployed = await deployToFolder({
        folder: site.folder,
        chainPem: cert.chainPem,
        keyPem,
        ...(password ? { pfx: { password } } : {}),
        log,
      });
      result.files = deployed.files;
      if (site.postDeploy?.length) {
        const run = await runPostDeploy({
          command: site.postDeploy,
          timeoutMs: POST_DEPLOY_TIMEOUT_MS,
          log,
        });
        result.postDeploy = {
          exitCode: run.exitCode,
          timedOut: run.timedOut,
          output: `${run.stdout}${run.stderr}`.slice(0, 4000),
        };
      }
      result.liveChecks = await liveCheck(site, cert.fingerprintSha256);
      result.ok =
        result.liveChecks.every((c) => c.status === 'serving-latest') &&
        (!result.postDeploy || result.postDeploy.exitCode === 0);
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
    await store.update((doc) => {
      const target = doc.sites.find((s) => s.id === siteId);
      if (target) target.lastDeployment = result;
    });
    log[result.ok ? 'info' : 'warn']('deployment finished', {
      siteId,
      name: site.name,
      serial: cert.serial,
      ok: result.ok,
      error: result.error,
    });
    announce(siteId);
  }

  async function liveCheck(
    site: SiteRecord,
    fingerprint: string,
  ): Promise<DeploymentView['liveChecks']> {
    const options = {
      port: site.port,
      timeoutMs: deps.liveCheck?.timeoutMs ?? 5000,
      ...(deps.liveCheck?.connectHost ? { connectHost: deps.liveCheck.connectHost } : {}),
    };
    let results = await checkSite(site.hosts, fingerprint, options);
    for (
      let i = 1;
      i < LIVE_CHECK_ATTEMPTS && results.some((r) => r.status === 'serving-other');
      i += 1
    ) {
      await new Promise((resolve) =>
        setTimeout(resolve, deps.liveCheck?.pauseMs ?? LIVE_CHECK_PAUSE_MS),
      );
      results = await checkSite(site.hosts, fingerprint, options);
    }
    return results.map((r) => ({
      host: r.host,
      port: r.port,
      status: r.status,
      message: r.message,
    }));
  }

  return {
    list: () => store.data.sites.map(toSiteView),
    save,
    async remove(id) {
      const site = find(id);
      if (!site) throw notFound('site', id);
      if (site.pfxPasswordRef) await secrets.delete(site.pfxPasswordRef);
      await store.update((doc) => {
        doc.sites = doc.sites.filter((s) => s.id !== id);
      });
      return { id };
    },
    async link(siteId, templateId) {
      const site = find(siteId);
      const record = template(templateId);
      if (!site) throw notFound('site', siteId);
      if (!record) throw notFound('template', templateId);
      const latest = record.latestCertificate;
      if (!latest) {
        throw new CertdeskError({
          code: 'conflict',
          message: `${record.commonName} has no certificate yet; link it once its certificate is issued.`,
        });
      }
      const uncovered = uncoveredHosts([latest.commonName, ...latest.altNames], site.hosts);
      if (uncovered.length)
        throw new CertdeskError({ code: 'invalid-input', message: coverageMessage(uncovered) });
      await store.update((doc) => {
        const target = doc.sites.find((s) => s.id === siteId);
        if (target) target.templateIds = [templateId];
      });
      log.info('template linked to site', { siteId, templateId, name: record.commonName });
      await deploy(siteId, template(templateId) as TemplateRecord);
      return toSiteView(find(siteId) as SiteRecord);
    },
    async deployNow(siteId) {
      const site = find(siteId);
      if (!site) throw notFound('site', siteId);
      const record = site.templateIds[0] ? template(site.templateIds[0]) : undefined;
      if (!record)
        throw new CertdeskError({
          code: 'conflict',
          message: `${site.name} has no linked template yet.`,
        });
      await deploy(siteId, record);
      return toSiteView(find(siteId) as SiteRecord);
    },
    async certificateStored(templateId) {
      const record = template(templateId);
      if (!record) return;
      for (const site of store.data.sites.filter((s) => s.templateIds.includes(templateId)))
        await deploy(site.id, record);
    },
  };
}
