/**
 * The Add site / Edit site form. Checked live for what the renderer can know (a name, at least
 * one host, a port, an absolute folder); whether each host is a valid host name is decided by
 * main, whose messages (`hosts.<i>`) are gathered at the Hosts field, each naming its host.
 * Hosts may be typed one per line or as a list; the post-deploy command is one argument per
 * line, because it runs without a shell.
 */
import type { FieldIssue } from '../../../shared/template-input.ts';
import type { SiteView } from '../../../shared/types.ts';
import { FormIssues } from './form-issues.svelte.ts';
import type { SiteInput } from './sites.svelte.ts';

const FIELDS = /^(name|hosts|port|folder|postDeploy)$/;
/** Limits of the saveSite schema in shared/contract.ts, checked here so they show live. */
const MAX_NAME = 100;
const MAX_HOSTS = 100;
const MAX_ARGUMENTS = 50;
const MAX_ARGUMENT = 1000;
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/])/;

/** Hosts as typed: separated by new lines, commas or spaces; empty entries skipped. */
export function splitHosts(text: string): string[] {
  return text.split(/[\s,;]+/).filter((host) => host !== '');
}

/** The post-deploy command: one argument per line, each trimmed, empty lines skipped. */
export function splitArguments(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function toPort(text: string): number {
  return /^\s*\d{1,5}\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** The form's own checks, keyed like main's issues. */
function checkSite(input: SiteInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  const name = input.name.trim();
  if (name === '') add('name', 'Site name is required.');
  else if (name.length > MAX_NAME) add('name', `Site name has at most ${MAX_NAME} characters.`);
  if (input.hosts.length === 0) add('hosts', 'Enter at least one host, such as www.example.com.');
  else if (input.hosts.length > MAX_HOSTS) add('hosts', `A site has at most ${MAX_HOSTS} hosts.`);
  const port = input.port ?? Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    add('port', 'TLS port is a whole number from 1 to 65535.');
  if (input.folder.trim() === '') add('folder', 'Deployment folder is required.');
  else if (!ABSOLUTE.test(input.folder))
    add('folder', 'Deployment folder must be an absolute path, such as /etc/nginx/certs/shop.');
  const args = input.postDeploy ?? [];
  if (args.length > MAX_ARGUMENTS)
    add('postDeploy', `The command has at most ${MAX_ARGUMENTS} arguments.`);
  else if (args.some((arg) => arg.length > MAX_ARGUMENT))
    add('postDeploy', `Each argument has at most ${MAX_ARGUMENT} characters.`);
  return issues;
}

/**
 * Main's issues with per-entry fields (`hosts.2`) folded into their list's field, the
 * sentences joined, so the Hosts field shows every host main refused.
 */
function foldIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  const folded: Record<string, string[]> = {};
  for (const issue of issues) {
    const field = issue.field.replace(/^(hosts|postDeploy)\.\d+$/, '$1');
    (folded[field] ??= []).push(issue.message);
  }
  return Object.entries(folded).map(([field, messages]) => ({
    field,
    message: messages.join(' '),
  }));
}

/** One per open dialog; `reset()` readies it for a new site, `fromView()` for an edit. */
export class SiteFormState {
  /** The site being edited; null for a new one. */
  id = $state<string | null>(null);
  name = $state('');
  hosts = $state('');
  port = $state('443');
  folder = $state('');
  pfx = $state(false);
  postDeploy = $state('');

  /** The request as main receives it: plain values, no reactive proxies. */
  readonly input: SiteInput = $derived({
    ...(this.id ? { id: this.id } : {}),
    name: this.name,
    hosts: splitHosts(this.hosts),
    port: toPort(this.port),
    folder: this.folder.trim(),
    pfx: this.pfx,
    postDeploy: splitArguments(this.postDeploy),
  });

  /** Which message shows at which field. */
  readonly issues = new FormIssues(() => checkSite(this.input));

  /** Takes main's refusal: each issue at its field, the rest as the form's general message. */
  fromServer(issues: readonly FieldIssue[], message: string): void {
    this.issues.fromServer(foldIssues(issues), message, (field) => FIELDS.test(field));
  }

  /** Fills the form with a stored site, to edit it. */
  fromView(site: SiteView): void {
    this.id = site.id;
    this.name = site.name;
    this.hosts = site.hosts.join('\n');
    this.port = String(site.port);
    this.folder = site.folder;
    this.pfx = site.pfx;
    this.postDeploy = (site.postDeploy ?? []).join('\n');
    this.issues.reset();
  }

  /** Empties the form for a new site. */
  reset(): void {
    this.id = null;
    this.name = '';
    this.hosts = '';
    this.port = '443';
    this.folder = '';
    this.pfx = false;
    this.postDeploy = '';
    this.issues.reset();
  }
}
