/**
 * Settings: the ACME CA, the validation zone with its challenge DNS provider, and the resolver
 * used for checks. Secrets in a save request go to the keychain first; only if that works is
 * the store changed, so a locked keychain changes nothing. Views never carry secrets.
 */
import { checkSettingsInput, type SettingsInput } from '../../../shared/settings-input.ts';
import { CA_PRESET_INFO, type SettingsView } from '../../../shared/settings.ts';
import { parseDnsName } from '../../../shared/names.ts';
import { CertdeskError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SecretStore } from '../secrets/keychain.ts';
import type { StoreDocument, StoredSettings } from '../state.ts';
import type { Store } from '../store/index.ts';

/** Keychain account names of the settings' secrets. */
export const SETTINGS_SECRET_ACCOUNTS = {
  eabHmacKey: 'settings:ca-eab-hmac-key',
  tsigSecret: 'settings:dns-tsig-secret',
} as const;

export interface SettingsService {
  get(): SettingsView;
  save(input: SettingsInput): Promise<SettingsView>;
  /** Reads a settings secret from the keychain (main-process use only). */
  secret(kind: keyof typeof SETTINGS_SECRET_ACCOUNTS): Promise<string | null>;
}

/** The view is the stored settings: they already hold no secrets, only "stored" flags. */
export function toSettingsView(settings: StoredSettings): SettingsView {
  return structuredClone(settings) as SettingsView;
}

function buildSettings(
  input: SettingsInput,
  previous: StoredSettings,
  eabStored: boolean,
  tsigStored: boolean,
): StoredSettings {
  const preset = CA_PRESET_INFO[input.ca.preset];
  const directoryUrl = preset.directoryUrl ?? (input.ca.directoryUrl ?? '').trim();
  const next: StoredSettings = {
    ca: { preset: input.ca.preset, directoryUrl, eabHmacKeyStored: eabStored },
    resolver:
      input.resolver.kind === 'custom'
        ? { kind: 'custom', host: input.resolver.host.trim(), port: input.resolver.port }
        : { kind: 'system' },
  };
  const email = input.ca.email?.trim();
  if (email) next.ca.email = email;
  const keyId = input.ca.eabKeyId?.trim();
  if (keyId) next.ca.eabKeyId = keyId;
  const profile = input.ca.profile?.trim();
  if (profile) next.ca.profile = profile;
  if (input.dns?.kind === 'rfc2136') {
    const zone = parseDnsName(input.dns.zone);
    next.dns = {
      kind: 'rfc2136',
      server: input.dns.server.trim(),
      port: input.dns.port,
      zone: zone.ok ? zone.name.ascii : input.dns.zone.trim(),
      keyName: input.dns.keyName.trim(),
      algorithm: input.dns.algorithm,
      secretStored: tsigStored,
    };
  } else if (input.dns?.kind === 'acme-dns') {
    next.dns = { kind: 'acme-dns', serverUrl: input.dns.serverUrl.trim() };
  } else if (previous.dns) {
    next.dns = previous.dns;
  }
  return next;
}

export function createSettingsService(deps: {
  store: Store<StoreDocument>;
  secrets: SecretStore;
  log: Logger;
}): SettingsService {
  const { store, secrets, log } = deps;

  async function save(input: SettingsInput): Promise<SettingsView> {
    const current = store.data.settings;
    const stored = {
      eabHmacKey: current.ca.eabHmacKeyStored,
      tsigSecret: current.dns?.kind === 'rfc2136' && current.dns.secretStored,
    };
    const issues = checkSettingsInput(input, stored);
    if (issues.length > 0) {
      throw new CertdeskError({
        code: 'invalid-input',
        message: issues[0]?.message ?? 'Settings are not valid',
        issues,
      });
    }
    const eab = input.ca.eabHmacKey?.trim();
    if (eab) await secrets.set(SETTINGS_SECRET_ACCOUNTS.eabHmacKey, eab);
    const tsig = input.dns?.kind === 'rfc2136' ? input.dns.secret?.trim() : undefined;
    if (tsig) await secrets.set(SETTINGS_SECRET_ACCOUNTS.tsigSecret, tsig);

    const next = buildSettings(
      input,
      current,
      Boolean(eab) || stored.eabHmacKey,
      Boolean(tsig) || stored.tsigSecret,
    );
    await store.update((doc) => {
      doc.settings = next;
    });
    log.info('settings saved', {
      ca: next.ca.directoryUrl,
      dnsProvider: next.dns?.kind ?? 'none',
      validationZone: next.dns?.kind === 'rfc2136' ? next.dns.zone : undefined,
      resolver: next.resolver.kind,
    });
    return toSettingsView(next);
  }

  return {
    get: () => toSettingsView(store.data.settings),
    save,
    secret: (kind) => secrets.get(SETTINGS_SECRET_ACCOUNTS[kind]),
  };
}
