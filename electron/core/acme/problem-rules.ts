/**
 * The rules behind classifyAcmeError (problems.ts): which code, whether trying again can help,
 * whether the order is spent, and the administrator's sentence. One row per RFC 8555 error
 * class of RELIABILITY.md §2; Let's Encrypt's paused-hostname answer is recognized first.
 */
import { STEP_LABELS, type LifecycleStep } from '../../../shared/types.ts';
import type { AcmeErrorCode, AcmeErrorContext } from './problems.ts';
import { shortType, type AcmeProblem, type NetworkFailure } from './problem-document.ts';

/** Everything an AcmeError is built from. */
export interface ClassifiedFailure {
  code: AcmeErrorCode;
  message: string;
  retryable: boolean;
  newOrderNeeded: boolean;
  retryAfterMs?: number;
  problemType?: string;
  httpStatus?: number;
  detail?: string;
  name?: string;
  problem?: AcmeProblem;
}

/** What the call left behind: the CA's problem, a network failure, or neither. */
export interface FailureFacts {
  problem: AcmeProblem | undefined;
  network: NetworkFailure | undefined;
  message: string;
}

const REJECTED = new Set(['rejectedIdentifier', 'unsupportedIdentifier', 'caa']);
const VALIDATION = new Set(['dns', 'connection', 'unauthorized', 'incorrectResponse', 'tls']);
const ACCOUNT = new Set([
  'accountDoesNotExist',
  'externalAccountRequired',
  'invalidContact',
  'unsupportedContact',
  'userActionRequired',
]);
const TLS_TRUST = /CERT|UNABLE_TO_(GET|VERIFY)|SELF_SIGNED|ERR_TLS/;
const PAUSED = /temporarily prevented from requesting certificates|\bpaused\b/i;
const PAUSED_NAMES = /requesting certificates for (.+?) and possibly others/i;
const URL_IN_TEXT = /https:\/\/[^\s"'<>]+/g;
/** Let's Encrypt's rate-limit details end with "retry after 2025-09-18 09:13:16 UTC". */
const RETRY_AFTER_IN_DETAIL = /retry after (\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}) UTC/i;

/** One line, bounded: the CA's detail is quoted in a sentence. */
function clean(detail: string): string {
  const printable = [...detail].map((ch) => (ch < ' ' || ch === '\u007f' ? ' ' : ch)).join('');
  const oneLine = printable.replace(/\s+/g, ' ').trim();
  return oneLine.length > 600 ? `${oneLine.slice(0, 600)}…` : oneLine;
}

function lead(context: AcmeErrorContext, name: string | undefined): string {
  const label = STEP_LABELS[context.step as LifecycleStep] ?? context.step;
  const who = name ?? (context.names?.length ? context.names.join(', ') : undefined);
  return `${label}${who ? ` for ${who}` : ''} failed`;
}

/**
 * The identifier a problem is about: the caller's, else the first subproblem's, else the one
 * order name the detail mentions, else the order's only name.
 */
function nameOf(p: AcmeProblem, context: AcmeErrorContext): string | undefined {
  if (context.name !== undefined) return context.name;
  const fromSub = p.subproblems.find((s) => s.identifier)?.identifier?.value;
  if (fromSub !== undefined) return fromSub;
  const names = context.names ?? [];
  const detail = p.detail.toLowerCase();
  const mentioned = [...names].sort((a, b) => b.length - a.length);
  return (
    mentioned.find((n) => detail.includes(n.toLowerCase())) ??
    (names.length === 1 ? names[0] : undefined)
  );
}

function caSaid(p: AcmeProblem): string {
  const status = p.status ? ` (HTTP ${p.status})` : '';
  const detail = p.detail ? `: "${clean(p.detail)}"` : '';
  return `the CA answered ${shortType(p.type)}${status}${detail}`;
}

/** Which short types the problem stands for: its own, or its subproblems' for compound. */
function effectiveTypes(p: AcmeProblem): string[] {
  const subs = p.subproblems.map((s) => shortType(s.type));
  return shortType(p.type) === 'compound' && subs.length > 0 ? subs : [shortType(p.type)];
}

/** rejectedIdentifier, unsupportedIdentifier, caa; or compound/malformed listing such names. */
function isRejection(p: AcmeProblem): boolean {
  const own = shortType(p.type);
  if (REJECTED.has(own)) return true;
  if (own !== 'compound' && own !== 'malformed') return false;
  return p.subproblems.some((s) => {
    const type = shortType(s.type);
    return REJECTED.has(type) || (type === 'malformed' && s.identifier !== undefined);
  });
}

function pausedUrl(p: AcmeProblem): string | undefined {
  const own = shortType(p.type);
  if (own !== 'rateLimited' && own !== 'unauthorized') return undefined;
  if (!PAUSED.test(p.detail)) return undefined;
  const urls = p.detail.match(URL_IN_TEXT) ?? [];
  return urls.find((u) => /unpause/i.test(u)) ?? urls[0] ?? p.instance;
}

function retryAfterOf(p: AcmeProblem, now: Date): number | undefined {
  if (p.retryAfterMs !== undefined) return p.retryAfterMs;
  const m = RETRY_AFTER_IN_DETAIL.exec(p.detail);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}Z`) - now.getTime();
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Picks the code for a problem document; the order of the checks is the precedence. */
function codeOf(p: AcmeProblem, context: AcmeErrorContext): AcmeErrorCode {
  const own = shortType(p.type);
  const types = effectiveTypes(p);
  if (pausedUrl(p) !== undefined) return 'ca-paused';
  if (own === 'rateLimited' || (own === 'about:blank' && p.status === 429))
    return 'ca-rate-limited';
  if (own === 'badNonce') return 'ca-bad-nonce';
  if (own === 'serverInternal' || (p.status !== undefined && p.status >= 500))
    return 'ca-unavailable';
  if (own === 'alreadyReplaced') return 'ca-already-replaced';
  if (own === 'orderNotReady') return 'ca-order-not-ready';
  if (ACCOUNT.has(own) || (own === 'unauthorized' && context.accountRequest)) return 'ca-account';
  if (isRejection(p)) return 'ca-rejected-identifier';
  if (types.every((t) => VALIDATION.has(t))) return 'ca-validation-failed';
  return 'ca-bad-request';
}

/** Whether trying again unchanged can succeed, per code (the `retryable` of the error). */
export const RETRYABLE: Readonly<Record<AcmeErrorCode, boolean>> = {
  'ca-rate-limited': true,
  'ca-paused': false,
  'ca-unavailable': true,
  'ca-tls-untrusted': false,
  'ca-bad-nonce': true,
  'ca-rejected-identifier': false,
  'ca-validation-failed': true,
  'ca-validation-timeout': true,
  'ca-bad-request': false,
  'ca-account': false,
  'ca-already-replaced': true,
  'ca-order-not-ready': true,
  'ca-no-dns-challenge': false,
  'ca-unexpected': true,
};

/** Codes after which the stored order can never succeed. */
export const NEW_ORDER: ReadonlySet<AcmeErrorCode> = new Set<AcmeErrorCode>([
  'ca-paused',
  'ca-rejected-identifier',
  'ca-validation-failed',
  'ca-bad-request',
  'ca-account',
  'ca-already-replaced',
  'ca-no-dns-challenge',
]);

function rejectedList(p: AcmeProblem, name: string | undefined): string {
  const named = p.subproblems.filter((s) => s.identifier !== undefined);
  if (named.length === 0) {
    return `${name ?? 'the requested names'} (${shortType(p.type)}: "${clean(p.detail)}")`;
  }
  return named
    .map((s) => `${s.identifier?.value} (${shortType(s.type)}: "${clean(s.detail)}")`)
    .join('; ');
}

function accountAdvice(p: AcmeProblem): string {
  const where = p.instance ?? p.termsOfServiceUrl;
  const see = where ? ` See ${where}.` : '';
  return `Check the CA account settings (contact e-mail, External Account Binding key ID and HMAC key) and the CA's terms of service.${see} Then use Retry Generate.`;
}

/** The administrator's sentence for a classified problem. */
function problemMessage(code: AcmeErrorCode, p: AcmeProblem, c: AcmeErrorContext, name?: string) {
  const head = `${lead(c, name)}: ${caSaid(p)}.`;
  const base = name?.replace(/^\*\./, '');
  switch (code) {
    case 'ca-paused': {
      const who = PAUSED_NAMES.exec(p.detail)?.[1] ?? name ?? 'these names';
      return `Let's Encrypt paused issuance for ${who} after repeated failures; unpause it at ${pausedUrl(p)} (${lead(c, name).toLowerCase()}: the CA answered ${shortType(p.type)}). Fix the DNS challenge configuration first, then use Retry Generate.`;
    }
    case 'ca-rate-limited':
      return `${head} The CA's rate limit applies; Certdesk waits until it resets before trying again. Check that no other client is issuing certificates for these names.`;
    case 'ca-bad-nonce':
      return `${head} The CA kept refusing Certdesk's replay nonces after 5 retries; Certdesk tries again later. If this repeats, check for a proxy between Certdesk and the CA.`;
    case 'ca-unavailable':
      return `${head} The CA had a temporary problem; Certdesk tries again by itself.`;
    case 'ca-already-replaced':
      return `${head} The certificate this order replaces was already replaced; Certdesk orders again without naming it.`;
    case 'ca-order-not-ready':
      return `${head} Certdesk reads the order again and continues from its current state.`;
    case 'ca-account':
      return `${head} ${accountAdvice(p)}`;
    case 'ca-rejected-identifier':
      return `${lead(c, name)}: the CA refuses to issue for ${rejectedList(p, name)}. Remove these names from the template, or where the CA cites CAA, allow this CA in the domain's CAA records; then use Retry Generate. Certdesk does not retry by itself.`;
    case 'ca-validation-failed':
      return `${head} Check that _acme-challenge.${base ?? '<name>'} is a CNAME to the target shown in DNS Challenge Configuration and that the TXT value is visible there; Certdesk tries again with a new order after its backoff.`;
    default:
      return `${head} Check the template's names, key type and subject fields and the CA settings; Certdesk does not retry by itself.`;
  }
}

function fromProblem(p: AcmeProblem, context: AcmeErrorContext): ClassifiedFailure {
  const code = codeOf(p, context);
  const name = nameOf(p, context);
  const failure: ClassifiedFailure = {
    code,
    message: problemMessage(code, p, context, name),
    retryable: RETRYABLE[code],
    newOrderNeeded: NEW_ORDER.has(code),
    problemType: shortType(p.type),
    detail: p.detail ? `${shortType(p.type)}: ${clean(p.detail)}` : shortType(p.type),
    problem: p,
  };
  if (p.status !== undefined) failure.httpStatus = p.status;
  if (name !== undefined) failure.name = name;
  const wait = code === 'ca-paused' ? undefined : retryAfterOf(p, context.now ?? new Date());
  if (wait !== undefined) failure.retryAfterMs = wait;
  return failure;
}

function fromNetwork(n: NetworkFailure, context: AcmeErrorContext): ClassifiedFailure {
  const untrusted = TLS_TRUST.test(n.code);
  const code: AcmeErrorCode = untrusted ? 'ca-tls-untrusted' : 'ca-unavailable';
  const what = `${lead(context, context.name)}: Certdesk could not reach the CA (${n.code}: ${clean(n.message)}).`;
  const advice = untrusted
    ? "The CA's HTTPS certificate is not trusted. Check the CA directory URL in Settings; a private CA's root belongs in the system trust store or NODE_EXTRA_CA_CERTS. Certdesk does not retry by itself."
    : 'Check the network connection and the CA directory URL in Settings; Certdesk tries again by itself.';
  return {
    code,
    message: `${what} ${advice}`,
    retryable: RETRYABLE[code],
    newOrderNeeded: false,
    problemType: n.code,
    detail: n.code,
  };
}

/** Classifies the facts of one failed ACME call; see problems.ts classifyAcmeError. */
export function describeFailure(facts: FailureFacts, context: AcmeErrorContext): ClassifiedFailure {
  if (facts.problem) return fromProblem(facts.problem, context);
  if (facts.network) return fromNetwork(facts.network, context);
  return {
    code: 'ca-unexpected',
    message: `${lead(context, context.name)}: the CA's answer was not understood (${clean(facts.message)}). Certdesk tries again later; if this repeats, check the CA directory URL in Settings.`,
    retryable: true,
    newOrderNeeded: false,
    detail: clean(facts.message),
  };
}
