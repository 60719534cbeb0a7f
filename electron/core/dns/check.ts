/**
 * Checking a challenge record before anything goes to the CA (issue 3, "Checking the CNAME
 * before ordering"): is `_acme-challenge.<base>` a CNAME (chain) to its value in the
 * validation zone, and do CAA records (RFC 8659) let the CA issue for the names using it?
 * Questions go where resolve.ts says: the custom resolver, or the authoritative servers of
 * the administrator's zone, never a caching resolver first (RELIABILITY.md D8).
 */
import type { ResolverSettings } from '../../../shared/settings.ts';
import type { ChallengeRecord } from '../../../shared/types.ts';
import { findCaaObstacle } from './caa.ts';
import { followCnameChain, MAX_CNAME_HOPS, type ChainOutcome } from './chain.ts';
import {
  absolute,
  arrowed,
  quotedTxt,
  type ChallengeRecordFinding,
  type ExpectedChallengeRecord,
} from './findings.ts';
import { QType, serverLabel, txtValuesAt } from './query.ts';
import { DnsLookup, DnsLookupError, type NetworkOverride } from './resolve.ts';

export { describeFinding, type ChallengeRecordFinding } from './findings.ts';
export { authoritativeServersOf, waitForTxtVisible, type TxtVisibilityOptions } from './visible.ts';

/** What checkChallengeRecord needs besides the record. */
export interface CheckOptions {
  resolver: ResolverSettings;
  /**
   * The CA's CAA identities (its directory's `meta.caaIdentities`). Empty or absent: CAA is
   * not checked and cannot produce a finding.
   */
  caIdentities?: string[];
  /** The template's identifiers that use this record (`example.com`, `*.example.com`). */
  identifiers: string[];
  /** Deadline per DNS query attempt; default 3000 ms. */
  timeoutMs?: number;
  /** Test and special-network hook: system resolvers and nameserver port to use. */
  network?: NetworkOverride;
}

/**
 * Checks one challenge record and returns one finding: the CNAME problem if there is one,
 * else a CAA refusal if any, else ok. Never throws for DNS trouble: SERVFAIL, REFUSED,
 * timeouts and unreachable servers come back as a retryable `dns-error` finding. Values are
 * compared case-insensitively without the trailing dot. Safe to run concurrently.
 */
export async function checkChallengeRecord(
  record: ChallengeRecord,
  options: CheckOptions,
): Promise<ChallengeRecordFinding> {
  const expected: ExpectedChallengeRecord = {
    name: record.name,
    type: 'CNAME',
    value: record.value.replace(/\.$/, ''),
  };
  const lookup = new DnsLookup({
    resolver: options.resolver,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.network ? { network: options.network } : {}),
  });
  try {
    const outcome = await followCnameChain(lookup, record.name, expected.value);
    if (outcome.kind !== 'reached') return await cnameFinding(lookup, expected, outcome);
    return await caaFinding(lookup, expected, outcome, options);
  } catch (e) {
    if (!(e instanceof DnsLookupError)) throw e;
    return { kind: 'dns-error', expected, server: e.servers, message: e.message, retryable: true };
  }
}

/** The CNAME is right: ok, unless CAA forbids the CA for one of the identifiers. */
async function caaFinding(
  lookup: DnsLookup,
  expected: ExpectedChallengeRecord,
  outcome: Extract<ChainOutcome, { kind: 'reached' }>,
  options: CheckOptions,
): Promise<ChallengeRecordFinding> {
  const hops = outcome.chain.slice(1);
  const found =
    hops.length > 1 ? `CNAME chain ${arrowed(hops)}` : `CNAME to ${absolute(expected.value)}`;
  const caa = await findCaaObstacle(lookup, options.identifiers, options.caIdentities);
  if (!caa) return { kind: 'ok', expected, server: outcome.server, found };
  const caIdentity = options.caIdentities?.[0] ?? '';
  const { at, records, identifier, server } = caa;
  const foundCaa = `CAA at ${at}: ${records.join('; ')}`;
  return {
    kind: 'caa-forbids',
    expected,
    server,
    found: foundCaa,
    at,
    records,
    caIdentity,
    identifier,
  };
}

/** The finding for a chain that did not reach the expected value. */
async function cnameFinding(
  lookup: DnsLookup,
  expected: ExpectedChallengeRecord,
  outcome: Exclude<ChainOutcome, { kind: 'reached' }>,
): Promise<ChallengeRecordFinding> {
  const server = outcome.server;
  switch (outcome.kind) {
    case 'absent':
      return absentFinding(lookup, expected, outcome);
    case 'ended': {
      const target = outcome.chain[outcome.chain.length - 1] as string;
      const via = outcome.chain.slice(1, -1).map(absolute);
      const found = `CNAME to ${absolute(target)}${via.length ? ` (via ${via.join(', ')})` : ''}`;
      return { kind: 'wrong-target', expected, server, found, target };
    }
    case 'loop':
      return {
        kind: 'cname-loop',
        expected,
        server,
        found: `CNAME loop ${arrowed(outcome.chain)}`,
        chain: outcome.chain,
      };
    case 'too-long': {
      const found = `CNAME chain of more than ${MAX_CNAME_HOPS} records: ${arrowed(outcome.chain)}`;
      return { kind: 'chain-too-long', expected, server, found, chain: outcome.chain };
    }
  }
}

/** No CNAME at the name: a TXT sitting there is its own finding, else the record is missing. */
async function absentFinding(
  lookup: DnsLookup,
  expected: ExpectedChallengeRecord,
  absent: { server: string; nxdomain: boolean },
): Promise<ChallengeRecordFinding> {
  if (absent.nxdomain)
    return { kind: 'missing', expected, server: absent.server, found: 'no record' };
  const reply = await lookup.ask(expected.name, QType.TXT);
  const server = serverLabel(reply.server);
  const values = txtValuesAt(reply, expected.name);
  if (values.length > 0) {
    return { kind: 'txt-at-name', expected, server, found: `TXT ${quotedTxt(values)}`, values };
  }
  return { kind: 'missing', expected, server, found: 'no CNAME record' };
}
