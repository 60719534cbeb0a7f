/**
 * CAA (RFC 8659): would the configured CA be allowed to issue for these identifiers? Checked
 * before ordering so a CAA refusal reads as a finding, not as a failed order at the CA.
 */
import { decodeCaa, presentCaa, QType, serverLabel, type CaaProperty } from './query.ts';
import type { DnsLookup } from './resolve.ts';
import { canonicalName } from './wire.ts';

/** Property tags this checker understands; a critical property with another tag forbids. */
const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef', 'issuemail', 'issuevmc']);

/** The relevant CAA RRset of a name: where it was found and its properties. */
export interface RelevantCaa {
  /** The name the RRset sits at (the identifier's base or one of its ancestors). */
  at: string;
  properties: CaaProperty[];
  server: string;
}

/** A CAA RRset that forbids the CA for one identifier. */
export interface CaaObstacle {
  identifier: string;
  at: string;
  /** The RRset in zone-file form, e.g. `0 issue "letsencrypt.org"`. */
  records: string[];
  server: string;
}

/** The issuer-domain-name of an issue/issuewild value (before any `;`), '' for ";". */
export function issuerDomain(value: string): string {
  return canonicalName((value.split(';')[0] ?? '').trim());
}

/**
 * RFC 8659 §4.2-4.3 and §4.5: true when the properties let a CA known by any of `caIdentities`
 * issue for a (wildcard or plain) name. issuewild governs wildcards when present, else issue;
 * no relevant property means no restriction; an unknown critical property forbids.
 */
export function caaPermits(props: CaaProperty[], wildcard: boolean, caIdentities: string[]) {
  const tag = (p: CaaProperty) => p.tag.toLowerCase();
  if (props.some((p) => (p.flags & 0x80) !== 0 && !KNOWN_TAGS.has(tag(p)))) return false;
  const issue = props.filter((p) => tag(p) === 'issue');
  const issueWild = props.filter((p) => tag(p) === 'issuewild');
  const relevant = wildcard && issueWild.length > 0 ? issueWild : issue;
  if (relevant.length === 0) return true;
  const ids = new Set(caIdentities.map(canonicalName));
  return relevant.some((p) => ids.has(issuerDomain(p.value)));
}

/**
 * The relevant RRset for `base` (RFC 8659 §3): climb from base towards the root (the root
 * itself excluded) and stop at the first name with CAA records. A CNAME at a name is followed
 * by the resolver, so records of its target count. undefined when no name has any.
 */
export async function relevantCaa(
  lookup: DnsLookup,
  base: string,
): Promise<RelevantCaa | undefined> {
  const labels = canonicalName(base).split('.');
  for (let i = 0; i < labels.length; i++) {
    const at = labels.slice(i).join('.');
    const reply = await lookup.recursive(at, QType.CAA);
    const properties = reply.message.answers.filter((rr) => rr.type === QType.CAA).map(decodeCaa);
    if (properties.length > 0) return { at, properties, server: serverLabel(reply.server) };
  }
  return undefined;
}

/**
 * The first identifier whose relevant CAA RRset forbids every one of `caIdentities`, or
 * undefined when all may be issued (or caIdentities is empty: nothing to compare against).
 * Throws DnsLookupError when a CAA query gets no usable answer.
 */
export async function findCaaObstacle(
  lookup: DnsLookup,
  identifiers: string[],
  caIdentities: string[] | undefined,
): Promise<CaaObstacle | undefined> {
  if (!caIdentities || caIdentities.length === 0) return undefined;
  const cache = new Map<string, Promise<RelevantCaa | undefined>>();
  for (const identifier of identifiers) {
    const wildcard = identifier.startsWith('*.');
    const base = canonicalName(wildcard ? identifier.slice(2) : identifier);
    if (!cache.has(base)) cache.set(base, relevantCaa(lookup, base));
    const caa = await cache.get(base);
    if (!caa || caaPermits(caa.properties, wildcard, caIdentities)) continue;
    const records = caa.properties.map(presentCaa);
    return { identifier, at: caa.at, records, server: caa.server };
  }
  return undefined;
}
