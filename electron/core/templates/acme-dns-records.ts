/**
 * Challenge records for templates whose validation zone is served by acme-dns: one acme-dns
 * registration per base name, made when the template is created. The registration's
 * `fulldomain` becomes the CNAME Value; its credentials go to the keychain under the
 * template's id and never into the store.
 *
 * One registration per base keeps within acme-dns's two TXT values per subdomain: a base name
 * needs at most two values at once (the name and its wildcard).
 */
import { challengeBases, challengeName } from '../../../shared/names.ts';
import { CHALLENGE_RECORD_TTL, type ChallengeRecord } from '../../../shared/types.ts';
import { registerAcmeDns, type AcmeDnsRegistration } from '../dns/acme-dns.ts';
import type { SecretStore } from '../secrets/keychain.ts';

/** Keychain account holding the acme-dns credentials of one base name of a template. */
export function acmeDnsAccount(templateId: string, base: string): string {
  return `template:${templateId}:acme-dns:${base}`;
}

/**
 * Registers every base name and stores the credentials. On failure, entries written so far
 * are deleted again, so a refused creation leaves no keychain entries behind.
 */
export async function registerChallengeRecords(
  templateId: string,
  identifiers: readonly string[],
  serverUrl: string,
  secrets: SecretStore,
): Promise<{ records: ChallengeRecord[]; secretRefs: string[] }> {
  const records: ChallengeRecord[] = [];
  const secretRefs: string[] = [];
  try {
    for (const base of challengeBases(identifiers)) {
      const registration = await registerAcmeDns(serverUrl);
      const account = acmeDnsAccount(templateId, base);
      await secrets.set(account, JSON.stringify(registration));
      secretRefs.push(account);
      records.push({
        base,
        name: challengeName(base),
        value: registration.fulldomain,
        ttl: CHALLENGE_RECORD_TTL,
      });
    }
  } catch (error) {
    for (const account of secretRefs) await secrets.delete(account).catch(() => false);
    throw error;
  }
  return { records, secretRefs };
}

/** Reads back the credentials of one base name; null when the keychain has none. */
export async function loadRegistration(
  secrets: SecretStore,
  templateId: string,
  base: string,
): Promise<AcmeDnsRegistration | null> {
  const text = await secrets.get(acmeDnsAccount(templateId, base));
  return text ? (JSON.parse(text) as AcmeDnsRegistration) : null;
}
