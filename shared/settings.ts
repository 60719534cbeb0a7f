/**
 * Settings the administrator chooses: which ACME CA, where challenge records point (the
 * validation zone and its challenge DNS provider), and which resolver checks them. Secrets
 * (TSIG secret, EAB HMAC key) are accepted on save and go to the OS keychain; the view only
 * says whether one is stored.
 */

/** CAs offered in Settings. */
export const CA_PRESETS = [
  'letsencrypt',
  'letsencrypt-staging',
  'zerossl',
  'google',
  'custom',
] as const;
export type CaPreset = (typeof CA_PRESETS)[number];

export interface CaPresetInfo {
  label: string;
  /** Directory URL; absent for `custom`, where the administrator types it. */
  directoryUrl?: string;
  /** True when the CA refuses new accounts without External Account Binding. */
  requiresEab: boolean;
  /** Where the administrator finds EAB credentials. */
  eabHelp?: string;
}

export const CA_PRESET_INFO: Record<CaPreset, CaPresetInfo> = {
  letsencrypt: {
    label: "Let's Encrypt",
    directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
    requiresEab: false,
  },
  'letsencrypt-staging': {
    label: "Let's Encrypt (staging)",
    directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
    requiresEab: false,
  },
  zerossl: {
    label: 'ZeroSSL',
    directoryUrl: 'https://acme.zerossl.com/v2/DV90',
    requiresEab: true,
    eabHelp: 'ZeroSSL dashboard, Developer section',
  },
  google: {
    label: 'Google Trust Services',
    directoryUrl: 'https://dv.acme-v02.api.pki.goog/directory',
    requiresEab: true,
    eabHelp: 'Google Cloud console, Public CA (gcloud publicca external-account-keys create)',
  },
  custom: { label: 'Custom ACME directory', requiresEab: false },
};

export const TSIG_ALGORITHMS = ['hmac-sha256', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

export interface CaSettings {
  preset: CaPreset;
  /** The directory in use: the preset's, or the custom one. */
  directoryUrl: string;
  email?: string;
  eabKeyId?: string;
  /** True when an EAB HMAC key is in the keychain. */
  eabHmacKeyStored: boolean;
  /**
   * ACME certificate profile to order (draft-aaron-acme-profiles), such as Let's Encrypt's
   * `tlsserver` or `shortlived`; absent for the CA's default. Renewals keep the profile their
   * certificate was ordered with.
   */
  profile?: string;
}

export interface Rfc2136Settings {
  kind: 'rfc2136';
  server: string;
  port: number;
  /** The validation zone this server is primary for. */
  zone: string;
  keyName: string;
  algorithm: TsigAlgorithm;
  /** True when the TSIG secret is in the keychain. */
  secretStored: boolean;
}

export interface AcmeDnsSettings {
  kind: 'acme-dns';
  serverUrl: string;
}

export type DnsProviderSettings = Rfc2136Settings | AcmeDnsSettings;

export type ResolverSettings = { kind: 'system' } | { kind: 'custom'; host: string; port: number };

/** Settings as shown to the renderer. `dns` is absent until the administrator sets it up. */
export interface SettingsView {
  ca: CaSettings;
  dns?: DnsProviderSettings;
  resolver: ResolverSettings;
}

/** Defaults for a new store: Let's Encrypt, no DNS provider yet, the system resolver. */
export function defaultSettings(): SettingsView {
  return {
    ca: {
      preset: 'letsencrypt',
      directoryUrl: CA_PRESET_INFO.letsencrypt.directoryUrl as string,
      eabHmacKeyStored: false,
    },
    resolver: { kind: 'system' },
  };
}
