/**
 * Where the challenge checks ask their questions, decided by `ResolverSettings`:
 * - custom resolver (split-horizon networks, tests): every question goes to it, RD=1;
 * - system resolver: questions about a challenge name or a validation name go straight to
 *   the authoritative servers of the zone holding it (found by walking SOA up from the
 *   name's parent and resolving the zone's NS names through the system resolver), RD=0.
 *   The name itself is never sent to a caching resolver, so no negative answer for it gets
 *   cached before the record exists (RFC 2308; RELIABILITY.md D8).
 */
import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import type { ResolverSettings } from '../../../shared/settings.ts';
import {
  decodeAddress,
  DnsQueryError,
  parentName,
  QType,
  queryDns,
  rcodeName,
  rdataName,
  recordsAt,
  serverLabel,
  type DnsReply,
  type DnsServer,
} from './query.ts';
import { canonicalName } from './wire.ts';

/**
 * Replaces what the operating system would supply; for tests and setups whose nameservers do
 * not listen on port 53. Absent fields mean: resolv.conf's servers, port 53.
 */
export interface NetworkOverride {
  systemResolvers?: DnsServer[];
  authoritativePort?: number;
}

/** How a DnsLookup asks: the administrator's resolver choice and a deadline per attempt. */
export interface LookupOptions {
  resolver: ResolverSettings;
  /** Deadline for each attempt of each query; default 3000 ms (two UDP attempts per query). */
  timeoutMs?: number;
  network?: NetworkOverride;
}

/** No server gave a usable answer. The message lists each server tried and what went wrong. */
export class DnsLookupError extends Error {
  /** The servers tried, `host:port` joined with ', '. */
  readonly servers: string;

  constructor(message: string, servers: string) {
    super(message);
    this.servers = servers;
  }
}

type Accept = (reply: DnsReply) => boolean;

const answered: Accept = (r) => r.rcode === 0 || r.rcode === 3;
const authoritative: Accept = (r) => answered(r) && (r.aa || referralNames(r).length > 0);

/** NS names of a referral (no answer, not authoritative, NS in the authority section). */
function referralNames(reply: DnsReply): string[] {
  if (reply.rcode !== 0 || reply.aa || reply.message.answers.length > 0) return [];
  return reply.message.authorities
    .filter((rr) => rr.type === QType.NS)
    .map((rr) => rdataName(reply, rr));
}

/** The system's resolvers as Node read them from the OS configuration (resolv.conf). */
export function systemResolvers(): DnsServer[] {
  return getServers().map((entry) => {
    const bracketed = /^\[(.+)\]:(\d+)$/.exec(entry);
    if (bracketed) return { host: bracketed[1] as string, port: Number(bracketed[2]) };
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    if (hostPort) return { host: hostPort[1] as string, port: Number(hostPort[2]) };
    return { host: entry, port: 53 };
  });
}

/**
 * Asks DNS questions the way the settings say (see the module comment). One instance serves
 * one check; it remembers zones and nameserver addresses it found, so make a new one per
 * check. Methods throw DnsLookupError when no server answers usably; NXDOMAIN and NODATA are
 * answers, not errors.
 */
export class DnsLookup {
  readonly #o: LookupOptions;
  readonly #servers = new Map<string, Promise<DnsServer[]>>();

  constructor(options: LookupOptions) {
    this.#o = options;
  }

  /** Words for where recursive questions go: `resolver 10.0.0.1:53`. */
  describeResolver(): string {
    return `resolver ${this.#recursiveServers().map(serverLabel).join(', ')}`;
  }

  /**
   * Asks about a challenge or validation name: the custom resolver (RD=1), or the
   * authoritative servers of its zone (RD=0), following up to three referrals.
   */
  async ask(name: string, type: number): Promise<DnsReply> {
    if (this.#o.resolver.kind === 'custom') return this.recursive(name, type);
    let servers = await this.serversFor(name);
    for (let depth = 0; ; depth++) {
      const reply = await this.#askFirst(servers, name, type, false, authoritative);
      const referral = referralNames(reply);
      if (referral.length === 0) return reply;
      if (depth >= 3) {
        const labels = servers.map(serverLabel).join(', ');
        throw new DnsLookupError(`too many referrals for ${name}`, labels);
      }
      servers = await this.#addresses(referral);
    }
  }

  /** Asks a recursive question: the custom resolver, or the system's resolvers in turn. */
  recursive(name: string, type: number): Promise<DnsReply> {
    return this.#askFirst(this.#recursiveServers(), name, type, true, answered);
  }

  /**
   * The servers `ask` starts with for `name`: [the custom resolver], or the authoritative
   * servers of the zone holding the name's parent (a delegation at the name itself is then
   * found through the referral).
   */
  serversFor(name: string): Promise<DnsServer[]> {
    if (this.#o.resolver.kind === 'custom') return Promise.resolve(this.#recursiveServers());
    return this.zoneOf(parentName(name)).then((zone) => this.nameServers(zone));
  }

  /** The apex of the zone that holds `name`, found by walking SOA queries up towards the root. */
  async zoneOf(name: string): Promise<string> {
    for (let n = canonicalName(name); ; n = parentName(n)) {
      const reply = await this.recursive(n, QType.SOA);
      if (recordsAt(reply, n, QType.CNAME).length === 0) {
        if (recordsAt(reply, n, QType.SOA).length > 0) return n;
        const soa = reply.message.authorities.find((rr) => rr.type === QType.SOA);
        if (soa) return canonicalName(soa.name);
      }
      if (n === '') {
        const where = this.describeResolver();
        throw new DnsLookupError(`no DNS zone found for ${name} through ${where}`, where);
      }
    }
  }

  /** Addresses of a zone's nameservers (NS names resolved through the recursive servers). */
  nameServers(zone: string): Promise<DnsServer[]> {
    const key = canonicalName(zone);
    let found = this.#servers.get(key);
    if (!found) {
      found = this.recursive(key, QType.NS).then((reply) =>
        this.#addresses(recordsAt(reply, key, QType.NS).map((rr) => rdataName(reply, rr))),
      );
      this.#servers.set(key, found);
    }
    return found;
  }

  async #addresses(hosts: string[]): Promise<DnsServer[]> {
    const port = this.#o.network?.authoritativePort ?? 53;
    const out: DnsServer[] = [];
    for (const host of hosts) {
      if (isIP(host)) out.push({ host, port });
      for (const type of isIP(host) ? [] : [QType.A, QType.AAAA]) {
        const reply = await this.recursive(host, type).catch(() => undefined);
        const rrs = reply?.message.answers.filter((rr) => rr.type === type) ?? [];
        for (const rr of rrs) out.push({ host: decodeAddress(rr), port });
      }
    }
    if (out.length === 0) {
      const text = `no address found for nameservers ${hosts.join(', ')}`;
      throw new DnsLookupError(text, this.describeResolver());
    }
    return out;
  }

  #recursiveServers(): DnsServer[] {
    const r = this.#o.resolver;
    if (r.kind === 'custom') return [{ host: r.host, port: r.port }];
    return this.#o.network?.systemResolvers ?? systemResolvers();
  }

  async #askFirst(
    servers: DnsServer[],
    name: string,
    type: number,
    recurse: boolean,
    accept: Accept,
  ): Promise<DnsReply> {
    const problems: string[] = [];
    const timeoutMs = this.#o.timeoutMs ?? 3000;
    for (const server of servers) {
      try {
        const reply = await queryDns(server, name, type, { recurse, timeoutMs });
        if (accept(reply)) return reply;
        const why = answered(reply) ? 'a non-authoritative answer' : rcodeName(reply.rcode);
        problems.push(`${serverLabel(server)} answered ${why}`);
      } catch (e) {
        if (!(e instanceof DnsQueryError)) throw e;
        problems.push(`${e.server} ${e.message}`);
      }
    }
    const labels = servers.map(serverLabel).join(', ');
    const text = problems.length > 0 ? problems.join('; ') : 'no DNS server to ask';
    throw new DnsLookupError(`${text} (asking ${name})`, labels);
  }
}

/**
 * The authoritative servers of `zone` (its NS names resolved through the system resolver,
 * port 53 unless overridden), for confirming TXT visibility. With a custom resolver this is
 * [] and the caller adds the RFC 2136 primary it writes to. Throws DnsLookupError.
 */
export async function authoritativeServersOf(
  zone: string,
  resolver: ResolverSettings,
  network?: NetworkOverride,
): Promise<DnsServer[]> {
  if (resolver.kind === 'custom') return [];
  const lookup = new DnsLookup({ resolver, ...(network ? { network } : {}) });
  return lookup.nameServers(zone);
}
