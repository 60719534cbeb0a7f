/**
 * Validation of the Settings form, shared by the renderer (live messages) and main (before
 * anything is saved). Secrets in the input are checked for shape only; main moves them to the
 * OS keychain and never stores or returns them.
 */
import { parseDnsName } from './names.ts';
import type { FieldIssue } from './template-input.ts';
import { CA_PRESET_INFO, type CaPreset, type TsigAlgorithm } from './settings.ts';

export interface SettingsInput {
  ca: {
    preset: CaPreset;
    /** Required for `custom`, ignored otherwise. */
    directoryUrl?: string;
    email?: string;
    eabKeyId?: string;
    /** New EAB HMAC key (base64url); omit to keep the stored one. */
    eabHmacKey?: string;
    /** ACME profile name; empty for the CA's default. */
    profile?: string;
  };
  dns?:
    | {
        kind: 'rfc2136';
        server: string;
        port: number;
        zone: string;
        keyName: string;
        algorithm: TsigAlgorithm;
        /** New TSIG secret (base64); omit to keep the stored one. */
        secret?: string;
      }
    | { kind: 'acme-dns'; serverUrl: string };
  resolver: { kind: 'system' } | { kind: 'custom'; host: string; port: number };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Parses an absolute https URL; null when it is not one. */
export function parseHttpsUrl(text: string): URL | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url : null;
  } catch {
    return null;
  }
}

function isHost(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (/^[0-9a-fA-F:]+$/.test(text) && text.includes(':')) return true;
  return text === 'localhost' || parseDnsName(text).ok;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function checkCa(ca: SettingsInput['ca'], hasStoredEab: boolean, issues: FieldIssue[]): void {
  const info = CA_PRESET_INFO[ca.preset];
  if (ca.preset === 'custom' && !parseHttpsUrl(ca.directoryUrl ?? '')) {
    issues.push({
      field: 'ca.directoryUrl',
      message: 'ACME directory URL must be an https:// address (RFC 8555 requires HTTPS)',
    });
  }
  if (ca.email && !EMAIL.test(ca.email.trim())) {
    issues.push({ field: 'ca.email', message: 'Account e-mail is not an e-mail address' });
  }
  if (ca.profile?.trim() && !/^[A-Za-z0-9._-]{1,64}$/.test(ca.profile.trim())) {
    issues.push({
      field: 'ca.profile',
      message: 'ACME profile must be a profile name such as tlsserver or shortlived',
    });
  }
  if (ca.eabHmacKey && !BASE64URL.test(ca.eabHmacKey.trim())) {
    issues.push({ field: 'ca.eabHmacKey', message: 'EAB HMAC key must be base64url text' });
  }
  if (ca.eabHmacKey && !ca.eabKeyId?.trim()) {
    issues.push({ field: 'ca.eabKeyId', message: 'EAB Key ID is required with an EAB HMAC key' });
  }
  const hasEab = Boolean(ca.eabKeyId?.trim()) && (Boolean(ca.eabHmacKey) || hasStoredEab);
  if (info.requiresEab && !hasEab) {
    issues.push({
      field: 'ca.eabKeyId',
      message: `${info.label} requires External Account Binding: enter the EAB Key ID and HMAC key from the ${info.eabHelp}`,
    });
  }
}

function checkDns(
  dns: NonNullable<SettingsInput['dns']>,
  hasStoredSecret: boolean,
  issues: FieldIssue[],
): void {
  if (dns.kind === 'acme-dns') {
    const url = parseHttpsUrl(dns.serverUrl);
    const local = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(dns.serverUrl.trim());
    if (!url && !local) {
      issues.push({
        field: 'dns.serverUrl',
        message: 'acme-dns server URL must be an https:// address',
      });
    }
    return;
  }
  if (!isHost(dns.server.trim())) {
    issues.push({ field: 'dns.server', message: 'DNS server must be a host name or IP address' });
  }
  if (!isPort(dns.port)) {
    issues.push({ field: 'dns.port', message: 'DNS server port must be a number from 1 to 65535' });
  }
  const zone = parseDnsName(dns.zone);
  if (!zone.ok || zone.name.wildcard) {
    issues.push({
      field: 'dns.zone',
      message: `Validation zone ${zone.ok ? 'may not be a wildcard' : zone.message}`,
    });
  }
  if (!/^[A-Za-z0-9._-]{1,253}$/.test(dns.keyName.trim())) {
    issues.push({
      field: 'dns.keyName',
      message: 'TSIG key name must be a DNS name, such as certdesk-key',
    });
  }
  if (dns.secret !== undefined && !BASE64.test(dns.secret.trim())) {
    issues.push({
      field: 'dns.secret',
      message: 'TSIG secret must be base64 text, as tsig-keygen prints it',
    });
  }
  if (dns.secret === undefined && !hasStoredSecret) {
    issues.push({ field: 'dns.secret', message: 'TSIG secret is required' });
  }
}

/** What is already in the keychain, so an omitted secret can mean "keep it". */
export interface StoredSecrets {
  eabHmacKey: boolean;
  tsigSecret: boolean;
}

/** Checks a Settings form. Returns every problem, each naming its field; empty when valid. */
export function checkSettingsInput(input: SettingsInput, stored: StoredSecrets): FieldIssue[] {
  const issues: FieldIssue[] = [];
  checkCa(input.ca, stored.eabHmacKey, issues);
  if (input.dns) checkDns(input.dns, stored.tsigSecret, issues);
  if (input.resolver.kind === 'custom') {
    if (!isHost(input.resolver.host.trim())) {
      issues.push({
        field: 'resolver.host',
        message: 'Resolver must be a host name or IP address',
      });
    }
    if (!isPort(input.resolver.port)) {
      issues.push({
        field: 'resolver.port',
        message: 'Resolver port must be a number from 1 to 65535',
      });
    }
  }
  return issues;
}
