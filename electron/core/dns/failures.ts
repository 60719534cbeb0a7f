import { CertdeskError } from '../errors.ts';
import { TsigErrorCode, type TsigCheck } from './tsig.ts';

/** Where a DNS call went and what it was about; used to word errors. Holds no secret. */
export interface DnsCallContext {
  /** `host:port` of the DNS server. */
  server: string;
  /** The zone named in the request. */
  zone: string;
  /** TSIG key name (never the secret). */
  keyName: string;
  /** The record name being changed or listed. */
  fqdn: string;
  /** The provider step, e.g. `publishTxt`. */
  step: string;
}

/** Header RCODE values (RFC 1035 §4.1.1, RFC 2136 §2.2). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  NOTAUTH: 9,
  NOTZONE: 10,
};

type Wording = { code: string; text: (c: DnsCallContext) => string; retryable?: boolean };

const TSIG_WORDING: Record<number, Wording> = {
  [TsigErrorCode.BADSIG]: {
    code: 'dns-tsig-badsig',
    text: (c) =>
      `rejected the signature made with TSIG key "${c.keyName}" (BADSIG): the secret does not match the server's copy of that key. Paste the secret again exactly as in the server's key file.`,
  },
  [TsigErrorCode.BADKEY]: {
    code: 'dns-tsig-badkey',
    text: (c) =>
      `does not know TSIG key "${c.keyName}" with this algorithm (BADKEY). Check the key name and algorithm against the server's key statement.`,
  },
  [TsigErrorCode.BADTIME]: {
    code: 'dns-tsig-badtime',
    retryable: true,
    text: () =>
      `rejected the request time (BADTIME): this computer's clock and the server's differ by more than 5 minutes; check the system clock on both machines.`,
  },
};

const RCODE_WORDING: Record<number, Wording> = {
  [Rcode.FORMERR]: {
    code: 'dns-formerr',
    text: () =>
      `could not parse the request (FORMERR). The server may not support RFC 2136 updates; please report this with the server's software and version.`,
  },
  [Rcode.SERVFAIL]: {
    code: 'dns-servfail',
    retryable: true,
    text: (c) =>
      `failed internally (SERVFAIL) while handling ${c.fqdn}. Check the server's log; a later attempt may succeed.`,
  },
  [Rcode.NOTAUTH]: {
    code: 'dns-notauth',
    text: (c) =>
      `is not authoritative for zone "${c.zone}" (NOTAUTH). Check the validation zone name and that this server is its primary.`,
  },
  [Rcode.NOTZONE]: {
    code: 'dns-notzone',
    text: (c) =>
      `says ${c.fqdn} is not inside zone "${c.zone}" (NOTZONE). Check the validation zone name.`,
  },
  [Rcode.REFUSED]: {
    code: 'dns-refused',
    text: (c) =>
      `refused to let key "${c.keyName}" change TXT records at ${c.fqdn} in zone "${c.zone}" (REFUSED). Check that this is the validation zone and that its update-policy grants the key TXT updates, e.g. grant ${c.keyName}. zonesub TXT;`,
  },
};

function build(w: Wording, c: DnsCallContext, detail: string, cause?: unknown) {
  const message = `DNS server ${c.server} ${w.text(c)}`;
  const init = { code: w.code, message, step: c.step, name: c.fqdn, detail };
  return new CertdeskError({ ...init, retryable: w.retryable ?? false, cause });
}

/** The error for a TSIG check that did not verify; `status: 'verified'` is a caller bug. */
export function tsigFailure(c: DnsCallContext, check: TsigCheck, rcode: number): CertdeskError {
  if (check.status === 'server-error') {
    const w = TSIG_WORDING[check.error];
    if (w) return build(w, c, `TSIG error ${check.error}, RCODE ${rcode}`);
    const text = () => `answered with TSIG error ${check.error}. Check the server's log.`;
    return build({ code: 'dns-tsig-error', text }, c, `TSIG error ${check.error}`);
  }
  if (check.status === 'bad-time')
    return build(TSIG_WORDING[TsigErrorCode.BADTIME] as Wording, c, `skew ${check.skewSeconds}s`);
  const why = {
    unsigned: 'was not signed',
    'wrong-key': 'was signed with a different key or algorithm',
    'bad-mac': 'carried a signature that does not verify',
    verified: 'verified',
  }[check.status];
  const text = () =>
    `sent a reply that ${why} with key "${c.keyName}", so Certdesk does not trust it. Something between this computer and the server may be answering in its place; check the server address and port.`;
  return build({ code: 'dns-reply-unsigned', text }, c, check.status);
}

/** The error for a non-zero RCODE on a reply whose TSIG verified (or a query reply). */
export function rcodeFailure(c: DnsCallContext, rcode: number): CertdeskError {
  const w = RCODE_WORDING[rcode];
  if (w) return build(w, c, `RCODE ${rcode}`);
  const text = () => `answered with RCODE ${rcode} for ${c.fqdn}. Check the server's log.`;
  return build({ code: 'dns-rcode', text }, c, `RCODE ${rcode}`);
}

/** The error for a timeout, refused connection or other socket failure. Always retryable. */
export function networkFailure(
  c: DnsCallContext,
  cause: unknown,
  timedOut: boolean,
): CertdeskError {
  const code = timedOut ? 'dns-timeout' : 'dns-unreachable';
  const sys = (cause as { code?: unknown } | undefined)?.code;
  const reason = timedOut
    ? 'did not answer in time'
    : `could not be reached (${typeof sys === 'string' ? sys : 'socket error'})`;
  const text = () => `${reason}. Check the server address, port and firewall.`;
  return build({ code, text, retryable: true }, c, String(sys ?? code), cause);
}
