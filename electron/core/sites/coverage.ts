/**
 * Does a certificate cover every HTTPS host of a site? Linking a certificate (and so its
 * template) to a site is refused while a host is left out, and the refusal names each host.
 * Host names go through the same shared rules as certificate identifiers (shared/names.ts), so
 * `Bücher.Example.` and `xn--bcher-kva.example` are one host.
 */
import type { FieldIssue } from '../../../shared/template-input.ts';
import { displayName, identifierCovers, parseDnsName } from '../../../shared/names.ts';
import { CertdeskError } from '../errors.ts';

/**
 * Validates and normalizes the HTTPS hosts of a site: lower-case A-labels, trailing dot
 * dropped, duplicates removed (first one kept), input order otherwise kept. A wildcard is
 * refused because a live check must connect to a real host name. Throws CertdeskError
 * 'invalid-input' with one issue per bad host (field `hosts.<index>`); never returns partial
 * results.
 */
export function normalizeHosts(hosts: readonly string[]): string[] {
  const issues: FieldIssue[] = [];
  const normalized: string[] = [];
  hosts.forEach((input, index) => {
    const parsed = parseDnsName(input);
    if (!parsed.ok) {
      issues.push({ field: `hosts.${index}`, message: `Host "${input}" ${parsed.message}.` });
    } else if (parsed.name.wildcard) {
      issues.push({
        field: `hosts.${index}`,
        message: `Host "${input}" is a wildcard; list the host names the site answers on, such as www.example.com.`,
      });
    } else if (!normalized.includes(parsed.name.ascii)) {
      normalized.push(parsed.name.ascii);
    }
  });
  if (issues.length > 0) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new CertdeskError({
      code: 'invalid-input',
      message: `${issues[0]?.message ?? ''}${more}`,
      issues,
    });
  }
  return normalized;
}

/** A certificate's names as lower-case A-labels; names the shared rules refuse are dropped. */
function certificateIdentifiers(certificateNames: readonly string[]): string[] {
  const identifiers: string[] = [];
  for (const name of certificateNames) {
    const parsed = parseDnsName(name);
    if (parsed.ok) identifiers.push(parsed.name.ascii);
  }
  return identifiers;
}

/**
 * The hosts that no name of the certificate covers, normalized (A-labels) and in input order;
 * empty when the certificate covers them all. A wildcard covers exactly one label:
 * `*.example.com` covers `a.example.com`, not `example.com` nor `a.b.example.com`.
 * `certificateNames` are the certificate's dNSName entries (any case, Unicode or A-labels).
 * Throws CertdeskError 'invalid-input' when a host is not a valid host name (see
 * {@link normalizeHosts}).
 */
export function uncoveredHosts(certificateNames: string[], hosts: string[]): string[] {
  const identifiers = certificateIdentifiers(certificateNames);
  return normalizeHosts(hosts).filter(
    (host) => !identifiers.some((identifier) => identifierCovers(identifier, host)),
  );
}

/** A host for people: Unicode, with the A-label form beside it when the two differ. */
function showHost(ascii: string): string {
  const unicode = displayName(ascii);
  return unicode === ascii ? ascii : `${unicode} (${ascii})`;
}

/** "a", "a or b", "a, b or c". */
function listOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/**
 * One sentence for the administrator naming every host in `uncovered` (as returned by
 * {@link uncoveredHosts}), or a sentence saying all hosts are covered when it is empty.
 */
export function coverageMessage(uncovered: string[]): string {
  if (uncovered.length === 0) return 'The certificate covers every host of the site.';
  const hosts = listOr(uncovered.map(showHost));
  const noun = uncovered.length === 1 ? 'this host' : 'these hosts';
  return (
    `The certificate does not cover ${hosts}; add ${noun} to the template's names ` +
    '(a wildcard such as *.example.com covers one label only, not example.com nor a.b.example.com).'
  );
}
