/**
 * When a form shows which message: a field's own validation message appears once the field
 * was left (touched) or the form was submitted; a message main answered with (error.issues)
 * appears at once and stays until that field is edited. Fields are keyed as in FieldIssue:
 * `commonName`, `altNames.2`, `dns.zone`.
 */
import type { FieldIssue } from '../../../shared/template-input.ts';
import { afterPointerRelease } from '../lib/focus.ts';

function byField(issues: readonly FieldIssue[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const issue of issues) map[issue.field] ??= issue.message;
  return map;
}

/** Tracks touched fields, the submit attempt and main's messages for one form. */
export class FormIssues {
  /** Fields the administrator has left at least once. */
  touched = $state<Record<string, boolean>>({});
  /** True after the first submit attempt: every local message shows from then on. */
  submitted = $state(false);
  /** Messages from main's last answer, by field. */
  server = $state<Record<string, string>>({});
  /** A message from main that names no field of this form (or no field at all). */
  general = $state<string | null>(null);

  readonly #local: () => readonly FieldIssue[];
  readonly #localByField = $derived.by(() => byField(this.#local()));

  /** `local` returns the shared validator's current issues for the form's values. */
  constructor(local: () => readonly FieldIssue[]) {
    this.#local = local;
  }

  /** The message to show at a field now, or undefined. */
  message(field: string): string | undefined {
    const server = this.server[field];
    if (server) return server;
    return this.submitted || this.touched[field] ? this.#localByField[field] : undefined;
  }

  /** True when the shared validator finds nothing wrong. */
  get valid(): boolean {
    return this.#local().length === 0;
  }

  /**
   * Attributes for a field's control: its key, and the handlers that track it. Leaving the
   * field by pressing a button shows its message only after that button's click.
   */
  attrs(field: string): { 'data-field': string; onblur: () => void; oninput: () => void } {
    return {
      'data-field': field,
      onblur: () => afterPointerRelease(() => this.touch(field)),
      oninput: () => this.edited(field),
    };
  }

  /** Marks a field as left. */
  touch(field: string): void {
    this.touched[field] = true;
  }

  /** The administrator changed a field: main's message for it no longer applies. */
  edited(field: string): void {
    if (field in this.server) delete this.server[field];
    this.general = null;
  }

  /**
   * Takes main's refusal: each issue goes to its field when the form has it, the rest (and the
   * error's own sentence when no issue names a known field) to `general`.
   */
  fromServer(
    issues: readonly FieldIssue[],
    message: string,
    known: (field: string) => boolean,
  ): void {
    const mine = issues.filter((i) => known(i.field));
    this.server = byField(mine);
    const others = issues.filter((i) => !known(i.field)).map((i) => i.message);
    this.general = mine.length === 0 ? message : others.length > 0 ? others.join(' ') : null;
  }

  /** Forgets everything: a fresh form. */
  reset(): void {
    this.touched = {};
    this.submitted = false;
    this.server = {};
    this.general = null;
  }
}
