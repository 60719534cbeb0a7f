/**
 * What issuance talks to, built from Settings on demand: the ACME session of the chosen CA
 * (one account per directory, its key in the keychain) and the challenge DNS provider (its
 * secret read from the keychain). A missing secret is an error with a sentence, never a
 * silent default.
 */
import { createHash } from 'node:crypto';
import { generateKeyPem } from '../acme/keys.ts';
import { openAcmeSession, type AcmeSession } from '../acme/session.ts';
import type { ChallengeDnsProvider } from '../dns/provider.ts';
import { AcmeDnsProvider } from '../dns/acme-dns.ts';
import { Rfc2136Provider } from '../dns/rfc2136.ts';
import { loadRegistration } from '../templates/acme-dns-records.ts';
import { CertdeskError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SecretStore } from '../secrets/keychain.ts';
import type { SettingsService } from '../settings/settings.ts';
import type { StoreDocument } from '../state.ts';
import type { Store } from '../store/index.ts';

export interface Connections {
  /** The ACME session for the CA in Settings; the account is created or recovered once. */
  acme(): Promise<AcmeSession>;
  /** The challenge DNS provider that writes a template's TXT values. */
  dnsProvider(templateId: string): Promise<ChallengeDnsProvider>;
  /** Forgets cached sessions, for example after Settings change. */
  reset(): void;
}

/** Keychain account of the ACME account key for a directory. */
export function accountKeyRef(directoryUrl: string): string {
  return `acme-account:${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 24)}`;
}

export function createConnections(deps: {
  store: Store<StoreDocument>;
  secrets: SecretStore;
  settings: SettingsService;
  log: Logger;
}): Connections {
  const { store, secrets, settings, log } = deps;
  const sessions = new Map<string, Promise<AcmeSession>>();

  async function accountKey(directoryUrl: string): Promise<string> {
    const keyRef = accountKeyRef(directoryUrl);
    const existing = await secrets.get(keyRef);
    if (existing) return existing;
    const known = store.data.accounts.find((a) => a.directoryUrl === directoryUrl);
    if (known?.accountUrl) {
      log.warn('ACME account key missing from the keychain; a new account will be created', {
        directoryUrl,
      });
    }
    const pem = generateKeyPem('ecdsa-p256');
    await secrets.set(keyRef, pem);
    await store.update((doc) => {
      doc.accounts = doc.accounts.filter((a) => a.directoryUrl !== directoryUrl);
      doc.accounts.push({ directoryUrl, keyRef });
    });
    return pem;
  }

  async function openSession(directoryUrl: string): Promise<AcmeSession> {
    const ca = store.data.settings.ca;
    const accountKeyPem = await accountKey(directoryUrl);
    const known = store.data.accounts.find((a) => a.directoryUrl === directoryUrl);
    const hmacKey = ca.eabKeyId ? await settings.secret('eabHmacKey') : null;
    const session = await openAcmeSession({
      directoryUrl,
      accountKeyPem,
      ...(known?.accountUrl ? { accountUrl: known.accountUrl } : {}),
      ...(ca.email ? { email: ca.email } : {}),
      ...(ca.eabKeyId && hmacKey ? { eab: { keyId: ca.eabKeyId, hmacKey } } : {}),
      logger: log.child('acme'),
    });
    if (session.accountUrl !== known?.accountUrl) {
      await store.update((doc) => {
        const account = doc.accounts.find((a) => a.directoryUrl === directoryUrl);
        if (account) account.accountUrl = session.accountUrl;
      });
      log.info('ACME account ready', { directoryUrl, accountUrl: session.accountUrl });
    }
    return session;
  }

  /** Routes each TXT value to the acme-dns registration of the record it belongs to. */
  function acmeDnsProvider(templateId: string, serverUrl: string): ChallengeDnsProvider {
    const providers = new Map<string, Promise<AcmeDnsProvider>>();
    const forName = (fqdn: string) => {
      const record = store.data.templates
        .find((t) => t.id === templateId)
        ?.challengeRecords.find((r) => r.value === fqdn);
      if (!record) {
        throw new CertdeskError({
          code: 'acme-dns-unknown-name',
          message: `${fqdn} is not an acme-dns name of this template.`,
        });
      }
      let provider = providers.get(record.base);
      if (!provider) {
        provider = loadRegistration(secrets, templateId, record.base).then((registration) => {
          if (!registration) {
            throw new CertdeskError({
              code: 'acme-dns-credentials-missing',
              message: `The acme-dns credentials for ${record.base} are not in the keychain; delete and recreate the template to register again.`,
              name: record.base,
            });
          }
          return new AcmeDnsProvider({
            serverUrl,
            ...registration,
            resolver: store.data.settings.resolver,
          });
        });
        providers.set(record.base, provider);
      }
      return provider;
    };
    return {
      kind: 'acme-dns',
      publishTxt: async (ref) => (await forName(ref.fqdn)).publishTxt(ref),
      removeTxt: async (ref) => (await forName(ref.fqdn)).removeTxt(ref),
      listTxt: async (fqdn) => (await forName(fqdn)).listTxt(fqdn),
    };
  }

  return {
    acme() {
      const directoryUrl = store.data.settings.ca.directoryUrl;
      let session = sessions.get(directoryUrl);
      if (!session) {
        session = openSession(directoryUrl);
        sessions.set(directoryUrl, session);
        session.catch(() => sessions.delete(directoryUrl));
      }
      return session;
    },
    async dnsProvider(templateId) {
      const dns = store.data.settings.dns;
      if (!dns) {
        throw new CertdeskError({
          code: 'settings-incomplete',
          message: 'No challenge DNS provider is set up; choose the validation zone in Settings.',
        });
      }
      if (dns.kind === 'acme-dns') return acmeDnsProvider(templateId, dns.serverUrl);
      const secret = await settings.secret('tsigSecret');
      if (!secret) {
        throw new CertdeskError({
          code: 'settings-incomplete',
          message: `The TSIG secret for key ${dns.keyName} is not in the keychain; enter it again in Settings.`,
        });
      }
      return new Rfc2136Provider({
        server: dns.server,
        port: dns.port,
        zone: dns.zone,
        keyName: dns.keyName,
        algorithm: dns.algorithm,
        secret,
      });
    },
    reset: () => sessions.clear(),
  };
}
