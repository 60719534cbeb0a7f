/**
 * Validation of what the administrator types into Create Certificate Template. The renderer
 * runs it for live messages and the main process runs it again before anything is stored.
 */
import { isCountryCode } from './countries.ts';
import { parseDnsName } from './names.ts';
import { KEY_TYPES, type KeyType } from './types.ts';

/**
 * X.509 (RFC 5280, ub-common-name) caps the Common Name at 64 characters, and CAs drop or
 * refuse a longer one. Longer names belong in Alternative Names.
 */
export const MAX_COMMON_NAME = 64;
/** RFC 5280 ub-organization-name. */
export const MAX_ORGANIZATION = 64;
/** RFC 5280 ub-locality-name. */
export const MAX_LOCALITY = 128;
/** Let's Encrypt's ceiling on identifiers per certificate; other CAs allow the same or fewer. */
export const MAX_IDENTIFIERS = 100;

/** The form as typed. */
export interface TemplateInput {
  commonName: string;
  altNames: string[];
  country?: string;
  locality?: string;
  organization?: string;
  keyType: KeyType;
  /** Keep the same private key across renewals; by default every renewal gets a new key. */
  reuseKey?: boolean;
}

/** A template request after normalization: A-labels, no duplicates, trimmed fields. */
export interface NormalizedTemplate {
  commonName: string;
  altNames: string[];
  country?: string;
  locality?: string;
  organization?: string;
  keyType: KeyType;
  /** Present (true) only when the administrator chose to keep the key across renewals. */
  reuseKey?: true;
}

/** One refusal: which field, and why, in a sentence. */
export interface FieldIssue {
  /** `commonName`, `altNames.2`, `country`, `locality`, `organization` or `keyType`. */
  field: string;
  message: string;
}

export type TemplateInputResult =
  { ok: true; value: NormalizedTemplate } | { ok: false; issues: FieldIssue[] };

/** Labels used in messages, matching the form. */
export const FIELD_LABELS: Record<string, string> = {
  commonName: 'Common Name',
  altNames: 'Alternative Name',
  country: 'Country',
  locality: 'Locality',
  organization: 'Organization Name',
  keyType: 'Key type',
};

const CONTROL_CHARS = /\p{Cc}/u;

function checkText(field: string, value: string | undefined, max: number): FieldIssue | null {
  if (value === undefined || value.trim() === '') return null;
  const label = FIELD_LABELS[field];
  if (CONTROL_CHARS.test(value)) {
    return { field, message: `${label} may not contain control characters` };
  }
  if (value.trim().length > max) {
    return { field, message: `${label} is longer than the ${max} characters X.509 allows` };
  }
  return null;
}

function normalizeCommonName(input: string, issues: FieldIssue[]): string | null {
  const parsed = parseDnsName(input);
  if (!parsed.ok) {
    issues.push({ field: 'commonName', message: `Common Name ${parsed.message}` });
    return null;
  }
  if (parsed.name.ascii.length > MAX_COMMON_NAME) {
    issues.push({
      field: 'commonName',
      message:
        `Common Name is ${parsed.name.ascii.length} characters; X.509 allows at most ` +
        `${MAX_COMMON_NAME} (RFC 5280), so put this name in Alternative Names and choose a ` +
        `shorter Common Name`,
    });
    return null;
  }
  return parsed.name.ascii;
}

function normalizeAltNames(inputs: string[], issues: FieldIssue[]): string[] {
  const names: string[] = [];
  inputs.forEach((input, index) => {
    if (input.trim() === '') return;
    const parsed = parseDnsName(input);
    if (!parsed.ok) {
      issues.push({
        field: `altNames.${index}`,
        message: `Alternative Name "${input.trim()}" ${parsed.message}`,
      });
    } else if (!names.includes(parsed.name.ascii)) {
      names.push(parsed.name.ascii);
    }
  });
  return names;
}

function normalizeCountry(input: string | undefined, issues: FieldIssue[]): string | undefined {
  const code = input?.trim() ?? '';
  if (code === '') return undefined;
  if (!isCountryCode(code)) {
    issues.push({
      field: 'country',
      message: 'Country must be an ISO 3166 two-letter code in capitals, such as US or DE',
    });
    return undefined;
  }
  return code;
}

/**
 * Validates and normalizes a template request. Never throws; every refusal names its field
 * and rule. The common name is removed from the alternative names, which are de-duplicated
 * after conversion to A-labels.
 */
export function normalizeTemplateInput(input: TemplateInput): TemplateInputResult {
  const issues: FieldIssue[] = [];
  const commonName = normalizeCommonName(input.commonName, issues);
  const altNames = normalizeAltNames(input.altNames, issues).filter((n) => n !== commonName);
  const country = normalizeCountry(input.country, issues);
  for (const [field, max] of [
    ['locality', MAX_LOCALITY],
    ['organization', MAX_ORGANIZATION],
  ] as const) {
    const issue = checkText(field, input[field], max);
    if (issue) issues.push(issue);
  }
  if (!(KEY_TYPES as readonly string[]).includes(input.keyType)) {
    issues.push({ field: 'keyType', message: `Key type must be one of ${KEY_TYPES.join(', ')}` });
  }
  if (altNames.length + 1 > MAX_IDENTIFIERS) {
    issues.push({
      field: 'altNames',
      message: `A certificate holds at most ${MAX_IDENTIFIERS} names; this template has ${altNames.length + 1}`,
    });
  }
  if (issues.length > 0 || commonName === null) return { ok: false, issues };

  const value: NormalizedTemplate = { commonName, altNames, keyType: input.keyType };
  if (country) value.country = country;
  const locality = input.locality?.trim();
  if (locality) value.locality = locality;
  const organization = input.organization?.trim();
  if (organization) value.organization = organization;
  if (input.reuseKey) value.reuseKey = true;
  return { ok: true, value };
}
