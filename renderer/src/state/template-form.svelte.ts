/**
 * The Create Certificate Template form: what the administrator typed, checked live by the same
 * normalizeTemplateInput that main runs before storing anything.
 */
import { normalizeTemplateInput, type TemplateInput } from '../../../shared/template-input.ts';
import type { KeyType } from '../../../shared/types.ts';
import { FormIssues } from './form-issues.svelte.ts';

const FIELDS = /^(commonName|altNames(\.\d+)?|country|locality|organization|keyType)$/;

function optional(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

/** One per open dialog; `reset()` readies it for the next template. */
export class TemplateFormState {
  commonName = $state('');
  /** One entry per Alternative Names input, empty ones included (they are skipped). */
  altNames = $state<string[]>(['']);
  /** ISO 3166 code, or '' for None. */
  country = $state('');
  locality = $state('');
  organization = $state('');
  keyType = $state<KeyType>('ecdsa-p256');
  reuseKey = $state(false);

  /** The request as main receives it: plain values, no reactive proxies. */
  readonly input: TemplateInput = $derived({
    commonName: this.commonName,
    altNames: [...this.altNames],
    country: optional(this.country),
    locality: optional(this.locality),
    organization: optional(this.organization),
    keyType: this.keyType,
    ...(this.reuseKey ? { reuseKey: true } : {}),
  });

  readonly #result = $derived(normalizeTemplateInput(this.input));

  /** Which message shows at which field. */
  readonly issues = new FormIssues(() => (this.#result.ok ? [] : this.#result.issues));

  /** True for the field keys this form shows messages at. */
  static knows(field: string): boolean {
    return FIELDS.test(field);
  }

  /** Appends an empty Alternative Names input. */
  addAltName(): void {
    this.altNames.push('');
  }

  /**
   * Removes one Alternative Names input. Later inputs move up one place, so their touched
   * marks move with them and main's messages for alternative names are dropped.
   */
  removeAltName(index: number): void {
    this.altNames.splice(index, 1);
    if (this.altNames.length === 0) this.altNames.push('');
    const touched: Record<string, boolean> = {};
    for (const [field, on] of Object.entries(this.issues.touched)) {
      const match = /^altNames\.(\d+)$/.exec(field);
      const at = match ? Number(match[1]) : -1;
      if (!match) touched[field] = on;
      else if (at !== index) touched[`altNames.${at > index ? at - 1 : at}`] = on;
    }
    this.issues.touched = touched;
    for (const field of Object.keys(this.issues.server)) {
      if (field.startsWith('altNames')) this.issues.edited(field);
    }
  }

  /** Empties the form. */
  reset(): void {
    this.commonName = '';
    this.altNames = [''];
    this.country = '';
    this.locality = '';
    this.organization = '';
    this.keyType = 'ecdsa-p256';
    this.reuseKey = false;
    this.issues.reset();
  }
}
