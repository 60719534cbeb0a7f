/**
 * Challenge records: one CNAME per distinct base name of a template, pointing
 * `_acme-challenge.<base>` at a name inside the validation zone that only Certdesk writes to.
 * The label is random (128 bits) so nobody can guess another template's validation name, and
 * it is chosen once: the administrator creates the CNAME once and every renewal reuses it.
 */
import { randomBytes } from 'node:crypto';
import { challengeBases, challengeName } from '../../../shared/names.ts';
import { CHALLENGE_RECORD_TTL, type ChallengeRecord } from '../../../shared/types.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A fresh unguessable DNS label: 26 base32 characters from 16 random bytes. */
export function randomLabel(bytes: Buffer = randomBytes(16)): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The challenge records for a set of identifiers (A-labels): one per base name, each with its
 * own label in `zone`. Existing records are kept as they are, so adding a name to a template
 * never moves a CNAME the administrator already created.
 */
export function planChallengeRecords(
  identifiers: readonly string[],
  zone: string,
  existing: readonly ChallengeRecord[] = [],
  makeLabel: () => string = () => randomLabel(),
): ChallengeRecord[] {
  return challengeBases(identifiers).map((base) => {
    const kept = existing.find((record) => record.base === base);
    if (kept) return kept;
    return {
      base,
      name: challengeName(base),
      value: `${makeLabel()}.${zone}`,
      ttl: CHALLENGE_RECORD_TTL,
    };
  });
}
