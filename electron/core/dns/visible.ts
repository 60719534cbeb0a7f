/**
 * Confirming a published TXT value is visible before the challenge is answered (issue 3,
 * "Challenge DNS providers"; RELIABILITY.md D4): answering early makes the CA fail the
 * validation, which costs the failed-validation budget and the order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolverSettings } from '../../../shared/settings.ts';
import { CertdeskError } from '../errors.ts';
import { followCnameChain } from './chain.ts';
import { absolute } from './findings.ts';
import {
  answerChainEnd,
  DnsQueryError,
  QType,
  queryDns,
  rcodeName,
  serverLabel,
  txtValuesAt,
  type DnsServer,
} from './query.ts';
import { DnsLookup, DnsLookupError, type NetworkOverride } from './resolve.ts';

export { authoritativeServersOf } from './resolve.ts';
import { canonicalName } from './wire.ts';

/** What to wait for and how long. */
export interface TxtVisibilityOptions {
  /** The CNAME target in the validation zone, where the value was published. */
  fqdn: string;
  /** `_acme-challenge.<base>`, the name the CA will ask. */
  challengeName: string;
  value: string;
  /** Every authoritative server of the validation zone, each asked directly (RD=0). */
  authoritative: DnsServer[];
  resolver: ResolverSettings;
  /** Total wait before giving up. */
  timeoutMs: number;
  /** Pause between rounds of questions. */
  intervalMs: number;
  signal?: AbortSignal;
  /** Deadline per DNS query attempt; default min(3000, timeoutMs). */
  queryTimeoutMs?: number;
  /** Test and special-network hook, as for checkChallengeRecord. */
  network?: NetworkOverride;
}

/** A place that does not serve the value yet, and what it answered instead. */
interface Lagging {
  where: string;
  saw: string;
}

/**
 * Resolves once `value` is served (a) by every server in `authoritative`, asked directly for
 * `fqdn`, and (b) through the CNAME at `challengeName`: from the custom resolver (RD=1), or,
 * with the system resolver, by following the chain on the customer zone's authoritative
 * servers to the validation zone's servers (no caching resolver, D8). TXT chunks are joined
 * before comparing. Polls every `intervalMs`; after `timeoutMs` throws a retryable
 * CertdeskError 'dns-txt-not-visible' naming the lagging servers, the name and the time
 * waited. An aborted `signal` rejects with its reason.
 */
export async function waitForTxtVisible(o: TxtVisibilityOptions): Promise<void> {
  const started = Date.now();
  const queryTimeoutMs = o.queryTimeoutMs ?? Math.max(1, Math.min(3000, o.timeoutMs));
  for (;;) {
    o.signal?.throwIfAborted();
    const lagging = await probe(o, queryTimeoutMs);
    if (lagging.length === 0) return;
    const waited = Date.now() - started;
    if (waited + o.intervalMs > o.timeoutMs) throw notVisible(o, lagging, waited);
    await pause(o.intervalMs, o.signal);
  }
}

/** Waits `ms`; an abort rejects with the signal's own reason, as throwIfAborted does. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (e) {
    signal?.throwIfAborted();
    throw e;
  }
}

async function probe(o: TxtVisibilityOptions, timeoutMs: number): Promise<Lagging[]> {
  const direct = o.authoritative.map((s) => askServer(s, o.fqdn, o.value, false, timeoutMs));
  const results = await Promise.all([...direct, viaChallengeName(o, timeoutMs)]);
  return results.flat();
}

/** Asks one server for TXT at name; [] when the value is among the answers. */
async function askServer(
  server: DnsServer,
  name: string,
  value: string,
  recurse: boolean,
  timeoutMs: number,
  endAt = name,
): Promise<Lagging[]> {
  const where = serverLabel(server);
  try {
    const reply = await queryDns(server, name, QType.TXT, { recurse, timeoutMs });
    if (reply.rcode !== 0) return [{ where, saw: rcodeName(reply.rcode) }];
    const end = recurse ? answerChainEnd(reply, name) : canonicalName(name);
    if (end !== canonicalName(endAt)) return [{ where, saw: `CNAME leads to ${absolute(end)}` }];
    const values = txtValuesAt(reply, end);
    if (values.includes(value)) return [];
    return [
      { where, saw: values.length === 0 ? 'no TXT value' : `${values.length} other value(s)` },
    ];
  } catch (e) {
    if (e instanceof DnsQueryError) return [{ where, saw: e.message }];
    throw e;
  }
}

/** The CA's view: the TXT value reached through the challenge record's CNAME. */
async function viaChallengeName(o: TxtVisibilityOptions, timeoutMs: number): Promise<Lagging[]> {
  if (o.resolver.kind === 'custom') {
    const lag = await askServer(o.resolver, o.challengeName, o.value, true, timeoutMs, o.fqdn);
    return lag.map((l) => ({ ...l, where: `resolver ${l.where} (via ${o.challengeName})` }));
  }
  const lookup = new DnsLookup({
    resolver: o.resolver,
    timeoutMs,
    ...(o.network ? { network: o.network } : {}),
  });
  const where = `the authoritative path from ${o.challengeName}`;
  try {
    const chain = await followCnameChain(lookup, o.challengeName, o.fqdn);
    if (chain.kind !== 'reached') return [{ where, saw: `no CNAME chain to ${absolute(o.fqdn)}` }];
    const servers = await lookup.serversFor(o.fqdn);
    const lags = await Promise.all(
      servers.map((s) => askServer(s, o.fqdn, o.value, false, timeoutMs)),
    );
    return lags.flat();
  } catch (e) {
    if (e instanceof DnsLookupError) return [{ where, saw: e.message }];
    throw e;
  }
}

function notVisible(o: TxtVisibilityOptions, lagging: Lagging[], waitedMs: number): CertdeskError {
  const seconds = Math.round(waitedMs / 1000);
  const list = lagging.map((l) => `${l.where} (${l.saw})`).join('; ');
  const message =
    `The TXT value for ${o.challengeName} (published at ${canonicalName(o.fqdn)}) was still not ` +
    `visible after ${seconds} s at: ${list}. Check that every nameserver of the validation ` +
    `zone receives updates (NOTIFY, zone transfers); Certdesk will try again.`;
  return new CertdeskError({
    code: 'dns-txt-not-visible',
    message,
    step: 'confirmTxtVisible',
    name: o.challengeName,
    detail: list,
    retryable: true,
  });
}
