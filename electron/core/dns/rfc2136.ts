import { randomInt } from 'node:crypto';
import { CertdeskError } from '../errors.ts';
import {
  networkFailure,
  Rcode,
  rcodeFailure,
  tsigFailure,
  type DnsCallContext,
} from './failures.ts';
import type { ChallengeDnsProvider, TxtRecordRef } from './provider.ts';
import { DnsTransportError, exchangeTcp, exchangeUdp, type DnsEndpoint } from './transport.ts';
import { createTsigKey, signRequest, verifyResponse, type TsigKey } from './tsig.ts';
import {
  canonicalName,
  decodeMessage,
  decodeTxt,
  encodeMessage,
  encodeTxt,
  Opcode,
  RRClass,
  RRType,
  type DnsMessage,
  type ResourceRecord,
} from './wire.ts';

/** Settings of an RFC 2136 challenge DNS provider. The secret is base64, as tsig-keygen prints. */
export interface Rfc2136Options {
  /** Address (or host name) of the primary server of the validation zone. */
  server: string;
  /** TCP and UDP port of that server (53 in production; the rig's port in tests). */
  port: number;
  /** The validation zone, sent as the UPDATE's zone section. */
  zone: string;
  /** TSIG key name exactly as in the server's `key` statement. */
  keyName: string;
  /** TSIG algorithm; other values (md5, sha1) are refused at construction. */
  algorithm: 'hmac-sha256' | 'hmac-sha512';
  /** Base64 TSIG secret; kept in a KeyObject, never logged or put in an error. */
  secret: string;
  /** Deadline for each network exchange; default 10 000 ms. */
  timeoutMs?: number;
  /** TTL of published TXT values; default 60 s. */
  ttl?: number;
  /** Clock for TSIG time signed, epoch ms; default Date.now. Tests use it to provoke BADTIME. */
  now?: () => number;
}

type Step = 'publishTxt' | 'removeTxt' | 'listTxt';

/**
 * Writes DNS-01 TXT values into a validation zone with RFC 2136 UPDATE signed by TSIG
 * (RFC 8945). Publish adds one RR (class IN); remove deletes exactly that RR (class NONE,
 * TTL 0, §2.5.4); the RRset is never deleted, so values of other orders stay. Updates go over
 * TCP and their replies must carry a valid TSIG. listTxt asks the same server directly
 * (RD=0, unsigned; UDP, then TCP when truncated). Safe to call concurrently; never retries.
 * The secret is held in a KeyObject and never appears in errors or logs.
 */
export class Rfc2136Provider implements ChallengeDnsProvider {
  /** Always 'rfc2136'. */
  readonly kind = 'rfc2136' as const;
  readonly #key: TsigKey;
  readonly #endpoint: DnsEndpoint;
  readonly #zone: string;
  readonly #ttl: number;
  readonly #now: () => number;

  /** Validates the settings; throws CertdeskError for a refused algorithm or a bad secret. */
  constructor(opts: Rfc2136Options) {
    this.#key = createTsigKey(opts.keyName, opts.algorithm, opts.secret);
    this.#endpoint = { host: opts.server, port: opts.port, timeoutMs: opts.timeoutMs ?? 10000 };
    this.#zone = canonicalName(opts.zone);
    this.#ttl = opts.ttl ?? 60;
    this.#now = opts.now ?? Date.now;
  }

  /** Adds one TXT value at ref.fqdn (RFC 2136 §2.5.1); an identical RR already there is kept. */
  async publishTxt(ref: TxtRecordRef): Promise<void> {
    await this.#update('publishTxt', ref, RRClass.IN, this.#ttl);
  }

  /** Deletes only the RR with this exact value (§2.5.4); an absent value is a no-op. */
  async removeTxt(ref: TxtRecordRef): Promise<void> {
    await this.#update('removeTxt', ref, RRClass.NONE, 0);
  }

  /** TXT values at fqdn as the configured server answers them, chunks joined; [] if none. */
  async listTxt(fqdn: string): Promise<string[]> {
    const ctx = this.#context('listTxt', fqdn);
    const query = encodeMessage({
      header: header(Opcode.QUERY),
      questions: [{ name: canonicalName(fqdn), type: RRType.TXT, class: RRClass.IN }],
      answers: [],
      authorities: [],
      additionals: [],
    });
    let reply = decodeMessage(await this.#send(ctx, query, 'udp'));
    if (reply.header.tc) reply = decodeMessage(await this.#send(ctx, query, 'tcp'));
    const rcode = reply.header.rcode;
    if (rcode === Rcode.NXDOMAIN) return [];
    if (rcode !== Rcode.NOERROR) throw rcodeFailure(ctx, rcode);
    const owner = canonicalName(fqdn);
    return reply.answers
      .filter((rr) => rr.type === RRType.TXT && canonicalName(rr.name) === owner)
      .map((rr) => decodeTxt(rr.data));
  }

  async #update(step: Step, ref: TxtRecordRef, rrClass: number, ttl: number): Promise<void> {
    const ctx = this.#context(step, ref.fqdn);
    this.#checkInZone(ctx);
    const request = encodeMessage(this.#updateMessage(ref, rrClass, ttl));
    const { wire, mac } = signRequest(request, this.#key, this.#seconds());
    const replyWire = await this.#send(ctx, wire, 'tcp');
    const reply = decodeMessage(replyWire);
    const check = verifyResponse(replyWire, reply, this.#key, mac, this.#seconds());
    if (check.status !== 'verified') throw tsigFailure(ctx, check, reply.header.rcode);
    if (reply.header.rcode !== Rcode.NOERROR) throw rcodeFailure(ctx, reply.header.rcode);
  }

  #updateMessage(ref: TxtRecordRef, rrClass: number, ttl: number): DnsMessage {
    const rr: ResourceRecord = {
      name: canonicalName(ref.fqdn),
      type: RRType.TXT,
      class: rrClass,
      ttl,
      data: encodeTxt(ref.value),
    };
    return {
      header: header(Opcode.UPDATE),
      questions: [{ name: this.#zone, type: RRType.SOA, class: RRClass.IN }],
      answers: [],
      authorities: [rr],
      additionals: [],
    };
  }

  async #send(ctx: DnsCallContext, msg: Buffer, via: 'tcp' | 'udp'): Promise<Buffer> {
    try {
      return await (via === 'tcp' ? exchangeTcp : exchangeUdp)(this.#endpoint, msg);
    } catch (e) {
      throw networkFailure(ctx, e, e instanceof DnsTransportError && e.timedOut);
    }
  }

  #checkInZone(ctx: DnsCallContext): void {
    const name = canonicalName(ctx.fqdn);
    if (name === this.#zone || name.endsWith(`.${this.#zone}`) || this.#zone === '') return;
    const message = `${ctx.fqdn} is not inside the validation zone "${this.#zone}"; the challenge record's CNAME must point into that zone.`;
    throw new CertdeskError({
      code: 'dns-name-outside-zone',
      message,
      step: ctx.step,
      name: ctx.fqdn,
    });
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  #context(step: Step, fqdn: string): DnsCallContext {
    const server = `${this.#endpoint.host}:${this.#endpoint.port}`;
    return { server, zone: this.#zone, keyName: this.#key.name, fqdn, step };
  }
}

function header(opcode: number) {
  const id = randomInt(0, 0x10000);
  return { id, qr: false, opcode, aa: false, tc: false, rd: false, ra: false, rcode: 0 };
}
