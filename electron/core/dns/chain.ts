/**
 * Following the CNAME chain that starts at a challenge record's name, one hop at a time, so a
 * loop or an over-long chain is diagnosed instead of followed for ever (RELIABILITY.md D5;
 * acme-client's own check has no limit). Each hop is asked where DnsLookup.ask sends it.
 */
import { QType, rdataName, recordsAt, serverLabel } from './query.ts';
import type { DnsLookup } from './resolve.ts';
import { canonicalName } from './wire.ts';

/**
 * The most CNAME records Certdesk follows from `_acme-challenge.<base>`. Real setups use one,
 * sometimes two (a corporate alias in between); lego allows 50, our limit is 8 (D5).
 */
export const MAX_CNAME_HOPS = 8;

/** Where the chain went. Names are lower case without the trailing dot; `chain[0]` is the start. */
export type ChainOutcome =
  /** A CNAME in the chain points at the expected name, within MAX_CNAME_HOPS. */
  | { kind: 'reached'; chain: string[]; server: string }
  /** The chain ends (no further CNAME) at `chain[chain.length - 1]`, not the expected name. */
  | { kind: 'ended'; chain: string[]; server: string }
  /** The start has no CNAME; `nxdomain` says the name does not exist at all. */
  | { kind: 'absent'; server: string; nxdomain: boolean }
  /** A CNAME points back at a name already in the chain (the last entry repeats it). */
  | { kind: 'loop'; chain: string[]; server: string }
  /** More than MAX_CNAME_HOPS CNAMEs before the expected name. */
  | { kind: 'too-long'; chain: string[]; server: string };

/**
 * Follows CNAMEs from `start` until one points at `expected`, the chain ends, loops or grows
 * past MAX_CNAME_HOPS. The expected name itself is never queried. `server` is the last server
 * that answered. Throws DnsLookupError when a hop gets no usable answer.
 */
export async function followCnameChain(
  lookup: DnsLookup,
  start: string,
  expected: string,
): Promise<ChainOutcome> {
  const target = canonicalName(expected);
  const chain = [canonicalName(start)];
  for (;;) {
    const current = chain[chain.length - 1] as string;
    const reply = await lookup.ask(current, QType.CNAME);
    const server = serverLabel(reply.server);
    const cname = recordsAt(reply, current, QType.CNAME)[0];
    if (!cname) {
      if (chain.length > 1) return { kind: 'ended', chain, server };
      return { kind: 'absent', server, nxdomain: reply.rcode === 3 };
    }
    const next = rdataName(reply, cname);
    const seen = chain.includes(next);
    chain.push(next);
    if (chain.length - 1 > MAX_CNAME_HOPS) return { kind: 'too-long', chain, server };
    if (next === target) return { kind: 'reached', chain, server };
    if (seen) return { kind: 'loop', chain, server };
  }
}
