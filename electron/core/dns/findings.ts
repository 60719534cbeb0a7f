/**
 * What a challenge record check found, as data for the DNS Challenge Configuration dialog
 * (expected vs found) and as the sentence an administrator reads (describeFinding).
 */
import { MAX_CNAME_HOPS } from './chain.ts';

/** The record the administrator has to create: `_acme-challenge.<base> CNAME <value>`. */
export interface ExpectedChallengeRecord {
  name: string;
  type: 'CNAME';
  /** The CNAME target in the validation zone, without the trailing dot. */
  value: string;
}

/** Fields every finding carries. */
export interface FindingCommon {
  expected: ExpectedChallengeRecord;
  /** What DNS answered, in words: `CNAME to other.example.`, `no record`, `TXT "abc"`. */
  found?: string;
  /** `host:port` of the server(s) whose answer decided the finding. */
  server: string;
}

/**
 * The outcome of checking one challenge record. Only `ok` lets the template go to the CA;
 * `dns-error` is the only retryable one, the others need the administrator's DNS change
 * (Certdesk re-checks on its schedule and sees the fix by itself).
 */
export type ChallengeRecordFinding = FindingCommon &
  (
    | { kind: 'ok' }
    /** No CNAME (and no TXT) at the challenge record's name. */
    | { kind: 'missing' }
    /** The CNAME (chain) ends at `target` instead of the expected value. */
    | { kind: 'wrong-target'; found: string; target: string }
    /** The chain returns to a name it passed; the last entry repeats an earlier one. */
    | { kind: 'cname-loop'; chain: string[] }
    /** More than MAX_CNAME_HOPS CNAMEs without reaching the expected value. */
    | { kind: 'chain-too-long'; chain: string[] }
    /** TXT values sit at `_acme-challenge.<base>` itself, where the CNAME belongs. */
    | { kind: 'txt-at-name'; values: string[] }
    /** The relevant CAA RRset (RFC 8659) at `at` allows none of the CA's identities. */
    | {
        kind: 'caa-forbids';
        at: string;
        records: string[];
        caIdentity: string;
        identifier: string;
      }
    /** SERVFAIL, REFUSED, timeout or no reachable server: try again later. */
    | { kind: 'dns-error'; message: string; retryable: true }
  );

/** A name as a DNS administrator writes a target: with the trailing dot. */
export function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** `a. → b. → c.` */
export function arrowed(chain: string[]): string {
  return chain.map(absolute).join(' → ');
}

/** Zone-file style TXT values: `"abc", "def"`. */
export function quotedTxt(values: string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

/**
 * One or two sentences for the administrator: which name, what was expected, what DNS
 * answered and what to do at their DNS provider. Never contains secrets (findings hold none).
 */
export function describeFinding(finding: ChallengeRecordFinding): string {
  const { name, value } = finding.expected;
  const create = `${name} CNAME ${absolute(value)}`;
  switch (finding.kind) {
    case 'ok':
      return `${create} is in place (checked at ${finding.server}).`;
    case 'missing':
      return `No CNAME at ${name} (${finding.server} answered: ${finding.found ?? 'no record'}). Create ${create} at your DNS provider.`;
    case 'wrong-target':
      return `${name} points to ${absolute(finding.target)} instead of ${absolute(value)} (answered by ${finding.server}). Change it to ${create} at your DNS provider.`;
    case 'cname-loop':
      return `The CNAME chain from ${name} loops (${arrowed(finding.chain)}), so no CA can follow it. Replace it with ${create} at your DNS provider.`;
    case 'chain-too-long':
      return `The CNAME chain from ${name} has more than ${MAX_CNAME_HOPS} CNAME records (${arrowed(finding.chain)}) without reaching the expected target; Certdesk follows at most ${MAX_CNAME_HOPS}. Point it there directly with ${create} at your DNS provider.`;
    case 'txt-at-name':
      return `${name} holds TXT ${quotedTxt(finding.values)} where the CNAME belongs (answered by ${finding.server}). Delete the TXT record there, then create ${create} at your DNS provider.`;
    case 'caa-forbids':
      return describeCaa(finding);
    case 'dns-error':
      return `Certdesk could not check ${name}: ${finding.message}. It will check again by itself; if this persists, check that these DNS servers are reachable from this computer.`;
  }
}

function describeCaa(f: Extract<ChallengeRecordFinding, { kind: 'caa-forbids' }>): string {
  const wildcard = f.identifier.startsWith('*.');
  const tag = wildcard && f.records.some((r) => / issuewild /i.test(r)) ? 'issuewild' : 'issue';
  return `The CAA records at ${f.at} (${f.records.join('; ')}) do not allow the CA ${f.caIdentity} to issue for ${f.identifier}. Add ${f.at} CAA 0 ${tag} "${f.caIdentity}" at your DNS provider, or choose a CA those records allow.`;
}
