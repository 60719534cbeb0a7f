/**
 * The Settings form: the ACME CA, the challenge DNS provider with its validation zone, and the
 * resolver for checks. Checked live by the same checkSettingsInput main runs before saving.
 * Secrets are write-only: the view only says whether the keychain holds one, an empty secret
 * field keeps it, and after a save the field is emptied again.
 */
import { checkSettingsInput, type SettingsInput } from '../../../shared/settings-input.ts';
import {
  CA_PRESET_INFO,
  type CaPreset,
  type SettingsView,
  type TsigAlgorithm,
} from '../../../shared/settings.ts';
import { api, settle } from '../lib/api.ts';
import { FormIssues } from './form-issues.svelte.ts';

/** Which challenge DNS provider the radio group has chosen; none until one is set up. */
export type DnsKind = 'none' | 'rfc2136' | 'acme-dns';

function optional(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

function toPort(text: string): number {
  return /^\s*\d{1,5}\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** One per window; `load()` fills it from main. */
export class SettingsState {
  preset = $state<CaPreset>('letsencrypt');
  directoryUrl = $state('');
  email = $state('');
  eabKeyId = $state('');
  eabHmacKey = $state('');
  eabStored = $state(false);
  profile = $state('');
  dnsKind = $state<DnsKind>('none');
  server = $state('');
  port = $state('53');
  zone = $state('');
  keyName = $state('');
  algorithm = $state<TsigAlgorithm>('hmac-sha256');
  secret = $state('');
  secretStored = $state(false);
  serverUrl = $state('');
  resolverKind = $state<'system' | 'custom'>('system');
  resolverHost = $state('');
  resolverPort = $state('53');

  /** True once main answered getSettings. */
  loaded = $state(false);
  /** True while a save is in flight. */
  saving = $state(false);
  /** The sentence after a successful save. */
  savedMessage = $state<string | null>(null);

  /** EAB fields apply to CAs that need them and to custom directories. */
  readonly showsEab = $derived(CA_PRESET_INFO[this.preset].requiresEab || this.preset === 'custom');

  /** The request main receives: plain values, hidden fields left out. */
  readonly input: SettingsInput = $derived({
    ca: {
      preset: this.preset,
      directoryUrl: this.preset === 'custom' ? this.directoryUrl : undefined,
      email: optional(this.email),
      eabKeyId: this.showsEab ? optional(this.eabKeyId) : undefined,
      eabHmacKey: this.showsEab ? optional(this.eabHmacKey) : undefined,
      profile: optional(this.profile),
    },
    dns: this.#dnsInput(),
    resolver:
      this.resolverKind === 'system'
        ? { kind: 'system' }
        : { kind: 'custom', host: this.resolverHost, port: toPort(this.resolverPort) },
  });

  /** Which message shows at which field. */
  readonly issues = new FormIssues(() =>
    checkSettingsInput(this.input, { eabHmacKey: this.eabStored, tsigSecret: this.secretStored }),
  );

  #dnsInput(): SettingsInput['dns'] {
    if (this.dnsKind === 'acme-dns') return { kind: 'acme-dns', serverUrl: this.serverUrl };
    if (this.dnsKind === 'none') return undefined;
    return {
      kind: 'rfc2136',
      server: this.server,
      port: toPort(this.port),
      zone: this.zone,
      keyName: this.keyName,
      algorithm: this.algorithm,
      secret: optional(this.secret),
    };
  }

  /** Copies a view from main into the form; secret fields are emptied. */
  fromView(view: SettingsView): void {
    const { ca, dns, resolver } = view;
    this.preset = ca.preset;
    this.directoryUrl = ca.preset === 'custom' ? ca.directoryUrl : '';
    this.email = ca.email ?? '';
    this.eabKeyId = ca.eabKeyId ?? '';
    this.eabHmacKey = '';
    this.eabStored = ca.eabHmacKeyStored;
    this.profile = ca.profile ?? '';
    this.dnsKind = dns?.kind ?? 'none';
    if (dns?.kind === 'rfc2136') {
      ({ server: this.server, zone: this.zone, keyName: this.keyName } = dns);
      this.port = String(dns.port);
      this.algorithm = dns.algorithm;
      this.secretStored = dns.secretStored;
    }
    if (dns?.kind === 'acme-dns') this.serverUrl = dns.serverUrl;
    this.secret = '';
    this.resolverKind = resolver.kind;
    if (resolver.kind === 'custom') {
      this.resolverHost = resolver.host;
      this.resolverPort = String(resolver.port);
    }
  }

  /** Loads the stored settings; returns main's sentence when that failed. */
  async load(): Promise<string | null> {
    const outcome = await settle(api().getSettings());
    if (outcome.ok) this.fromView(outcome.value);
    this.loaded = true;
    return outcome.ok ? null : outcome.error.message;
  }

  /**
   * Saves when the form is valid; otherwise only marks it submitted so every message shows.
   * Returns true when main stored the settings.
   */
  async save(): Promise<boolean> {
    this.issues.submitted = true;
    this.savedMessage = null;
    if (!this.issues.valid || this.saving) return false;
    this.saving = true;
    const outcome = await settle(api().saveSettings($state.snapshot(this.input)));
    this.saving = false;
    if (!outcome.ok) {
      const issues = outcome.error.issues ?? [];
      this.issues.fromServer(issues, outcome.error.message, (f) => /^(ca|dns|resolver)\./.test(f));
      return false;
    }
    this.fromView(outcome.value);
    this.issues.reset();
    this.savedMessage = 'Settings saved.';
    return true;
  }
}
