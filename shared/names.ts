/**
 * Domain-name rules for certificate identifiers, used by the renderer's form and again by the
 * main process, so both sides accept and reject exactly the same names.
 *
 * A name is converted to its ASCII (A-label) form with UTS #46 processing (tr46), then checked
 * against the limits that matter for a DNS-01 certificate. The checks run after conversion
 * because the ASCII form is what the CA and DNS see, and conversion alone lets through labels
 * that are too long.
 */
import { toASCII, toUnicode } from 'tr46';

/** Octets of `_acme-challenge.`, which every DNS-01 validation name is prefixed with. */
export const ACME_CHALLENGE_PREFIX = '_acme-challenge.';

/** Longest name that still fits under `_acme-challenge.` within DNS's 253-octet limit. */
export const MAX_DNS01_NAME_OCTETS = 253 - ACME_CHALLENGE_PREFIX.length;

/** RFC 1035 label limit. */
export const MAX_LABEL_OCTETS = 63;

/** A name accepted by {@link parseDnsName}. */
export interface DnsName {
  /** Lower-case A-label form, as sent to the CA and to DNS: `*.xn--bcher-kva.example`. */
  ascii: string;
  /** The same name with internationalized labels shown in Unicode: `*.bücher.example`. */
  unicode: string;
  /** True when the leftmost label is `*`. */
  wildcard: boolean;
  /** The name without its wildcard label: where `_acme-challenge.` is placed. */
  base: string;
}

/** Why a name was refused; stable identifiers, the message carries the sentence. */
export type NameRule =
  | 'required'
  | 'ip-address'
  | 'wildcard-position'
  | 'characters'
  | 'empty-label'
  | 'label-length'
  | 'hyphen'
  | 'too-long'
  | 'single-label'
  | 'numeric-tld';

export type NameResult =
  { ok: true; name: DnsName } | { ok: false; rule: NameRule; message: string };

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const LDH_LABEL = /^[a-z0-9-]+$/;

function refuse(rule: NameRule, message: string): NameResult {
  return { ok: false, rule, message };
}

function toAsciiName(name: string): string | null {
  try {
    return toASCII(name, {
      checkBidi: true,
      // Hyphen placement is checked in checkLabels, with a message that says what is wrong.
      checkHyphens: false,
      checkJoiners: true,
      useSTD3ASCIIRules: true,
      transitionalProcessing: false,
      verifyDNSLength: false,
    });
  } catch {
    return null;
  }
}

function checkLabels(labels: string[]): NameResult | null {
  for (const label of labels) {
    if (label.length === 0) return refuse('empty-label', 'has an empty label (two dots in a row)');
    if (label.length > MAX_LABEL_OCTETS) {
      return refuse(
        'label-length',
        `has a label of ${label.length} characters; DNS allows at most ${MAX_LABEL_OCTETS}`,
      );
    }
    if (!LDH_LABEL.test(label)) {
      return refuse('characters', 'may only contain letters, digits, hyphens and dots');
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return refuse('hyphen', `has a label that starts or ends with a hyphen ("${label}")`);
    }
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
      return refuse(
        'hyphen',
        `has "--" as its third and fourth characters ("${label}"), which DNS reserves for internationalized labels`,
      );
    }
  }
  return null;
}

/**
 * Parses one certificate identifier. Accepts Unicode or A-labels, any letter case, a trailing
 * dot, and a wildcard only as the whole leftmost label. Never throws.
 */
export function parseDnsName(input: string): NameResult {
  let text = input.trim();
  if (text.length === 0) return refuse('required', 'is required');
  if (text.endsWith('.') && !text.endsWith('..')) text = text.slice(0, -1);
  if (text.startsWith('[') || text.includes(':') || IPV4.test(text)) {
    return refuse('ip-address', 'is an IP address; DNS-01 certificates cover domain names only');
  }

  const wildcard = text.startsWith('*.');
  const rest = wildcard ? text.slice(2) : text;
  if (rest.includes('*')) {
    return refuse(
      'wildcard-position',
      'may use * only as the whole leftmost label, as in *.example.com',
    );
  }

  const ascii = toAsciiName(rest);
  if (ascii === null || ascii.length === 0) {
    return refuse('characters', 'contains characters that are not allowed in a domain name');
  }
  const labels = ascii.split('.');
  const labelProblem = checkLabels(labels);
  if (labelProblem) return labelProblem;
  if (labels.length < 2) {
    return refuse('single-label', 'needs at least two labels, as in example.com');
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return refuse('numeric-tld', 'ends in an all-numeric label, which is not a top-level domain');
  }
  if (ascii.length > MAX_DNS01_NAME_OCTETS) {
    return refuse(
      'too-long',
      `is ${ascii.length} characters long; with the "${ACME_CHALLENGE_PREFIX}" prefix DNS-01 allows at most ${MAX_DNS01_NAME_OCTETS}`,
    );
  }

  const unicodeBase = toUnicode(ascii, { useSTD3ASCIIRules: true }).domain;
  return {
    ok: true,
    name: {
      ascii: wildcard ? `*.${ascii}` : ascii,
      unicode: wildcard ? `*.${unicodeBase}` : unicodeBase,
      wildcard,
      base: ascii,
    },
  };
}

/** Matches a name with at least one punycode label (`xn--`), the only kind that reads differently. */
const PUNYCODE_LABEL = /(?:^|\.)xn--/i;

/** Shows an A-label name in Unicode for people; returns the input when it cannot convert. */
export function displayName(ascii: string): string {
  // Names are stored as lower-case A-labels; without a punycode label there is nothing to
  // convert, and skipping UTS #46 processing matters when the tray labels 10,000 templates.
  if (!PUNYCODE_LABEL.test(ascii)) return ascii;
  const wildcard = ascii.startsWith('*.');
  const rest = wildcard ? ascii.slice(2) : ascii;
  const result = toUnicode(rest, { useSTD3ASCIIRules: true });
  if (result.error) return ascii;
  return wildcard ? `*.${result.domain}` : result.domain;
}

/** The DNS-01 validation name for an identifier: `_acme-challenge.<base>`. */
export function challengeName(ascii: string): string {
  const base = ascii.startsWith('*.') ? ascii.slice(2) : ascii;
  return `${ACME_CHALLENGE_PREFIX}${base}`;
}

/**
 * The distinct base names of a set of identifiers, in first-seen order: `*.example.com` and
 * `example.com` share `example.com`, so they share one challenge record.
 */
export function challengeBases(asciiNames: readonly string[]): string[] {
  const bases: string[] = [];
  for (const name of asciiNames) {
    const base = name.startsWith('*.') ? name.slice(2) : name;
    if (!bases.includes(base)) bases.push(base);
  }
  return bases;
}

/**
 * True when a certificate identifier covers a host name: exact match, or a wildcard that
 * stands for exactly one label (`*.example.com` covers `a.example.com`, not `example.com` nor
 * `a.b.example.com`). Both arguments are lower-case A-labels.
 */
export function identifierCovers(identifier: string, host: string): boolean {
  if (identifier === host) return true;
  if (!identifier.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === identifier.slice(2);
}
