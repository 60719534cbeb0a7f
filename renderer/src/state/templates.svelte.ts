/**
 * The template list as the renderer holds it: every TemplateView main sent, newest first, the
 * name and status filters, and the rows selected for export. Events from main (templateChanged,
 * templateRemoved) are applied here, so the list stays current without reloading it.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { RequestInput } from '../../../shared/contract.ts';
import type { TemplateInput } from '../../../shared/template-input.ts';
import type { TemplateStatus, TemplateView } from '../../../shared/types.ts';
import { api, settle, type Outcome } from '../lib/api.ts';
import { showName } from '../lib/format.ts';

/** The two CSV modes: formulas neutralized (the default), or values exactly as DNS needs them. */
export type CsvMode = RequestInput<'exportCsv'>['mode'];

/** The Status filter: one status, or all of them. */
export type StatusFilter = 'all' | TemplateStatus;

const haystacks = new WeakMap<TemplateView, string>();

/** Lower-case text the name filter searches: every name, as A-label and in Unicode. */
function haystack(template: TemplateView): string {
  let text = haystacks.get(template);
  if (text === undefined) {
    const names = [template.commonName, ...template.altNames];
    text = [...names, ...names.map(showName)].join('\n').toLowerCase();
    haystacks.set(template, text);
  }
  return text;
}

function newestFirst(templates: readonly TemplateView[]): TemplateView[] {
  return [...templates].sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
  );
}

/** One instance per window; components read its fields and call its methods. */
export class TemplatesState {
  /** A template the shell asked to show (tray item, notification); the tab opens its details. */
  requestedDetails = $state<string | null>(null);
  /** Every template, as main last described it. Replaced, never mutated, on each change. */
  templates = $state.raw<TemplateView[]>([]);
  /** True once the first listTemplates answer arrived (even an error). */
  loaded = $state(false);
  /** Why the list could not be loaded; null when it was. */
  loadError = $state<string | null>(null);
  /** Text the Filter by name box holds. */
  nameFilter = $state('');
  /** Value of the Status filter. */
  statusFilter = $state<StatusFilter>('all');
  /** Ids of the rows ticked for export. */
  readonly selected = new SvelteSet<string>();
  /** Ids of the templates whose Check now is in flight from this window. */
  readonly checking = new SvelteSet<string>();

  /** All templates, newest first. */
  readonly sorted = $derived(newestFirst(this.templates));

  /** The rows the filters let through, newest first. */
  readonly visible = $derived.by(() => {
    const needle = this.nameFilter.trim().toLowerCase();
    const status = this.statusFilter;
    if (needle === '' && status === 'all') return this.sorted;
    return this.sorted.filter(
      (t) =>
        (status === 'all' || t.status === status) &&
        (needle === '' || haystack(t).includes(needle)),
    );
  });

  /** True when every visible row is selected (and there is at least one). */
  readonly allVisibleSelected = $derived(
    this.visible.length > 0 && this.visible.every((t) => this.selected.has(t.id)),
  );

  /** Loads the list from main; replaces what was there. */
  async load(): Promise<void> {
    const outcome = await settle(api().listTemplates());
    if (outcome.ok) {
      this.templates = outcome.value;
      this.loadError = null;
    } else {
      this.loadError = outcome.error.message;
    }
    this.loaded = true;
  }

  /** Subscribes to main's template events; returns the function that unsubscribes. */
  subscribe(): () => void {
    const offChanged = api().onTemplateChanged((view) => this.apply(view));
    const offRemoved = api().onTemplateRemoved(({ id }) => this.forget(id));
    return () => {
      offChanged();
      offRemoved();
    };
  }

  /** Adds a template or replaces the one with the same id. */
  apply(view: TemplateView): void {
    const index = this.templates.findIndex((t) => t.id === view.id);
    if (index === -1) this.templates = [view, ...this.templates];
    else this.templates = this.templates.with(index, view);
  }

  /** Drops a template from the list and from the selection. */
  forget(id: string): void {
    this.templates = this.templates.filter((t) => t.id !== id);
    this.selected.delete(id);
  }

  /** Ticks or unticks one row. */
  toggle(id: string, on: boolean): void {
    if (on) this.selected.add(id);
    else this.selected.delete(id);
  }

  /** Ticks every visible row, or unticks them all when they already are. */
  toggleAllVisible(): void {
    const on = !this.allVisibleSelected;
    for (const t of this.visible) this.toggle(t.id, on);
  }

  /** The ids to export: the selection when there is one, otherwise undefined (all). */
  exportIds(): string[] | undefined {
    return this.selected.size > 0 ? [...this.selected] : undefined;
  }

  /** Creates a template in main; on success it is in the list before this resolves. */
  async create(input: TemplateInput): Promise<Outcome<TemplateView>> {
    const outcome = await settle(api().createTemplate(input));
    if (outcome.ok) this.apply(outcome.value);
    return outcome;
  }

  /** Deletes a template (main removes its keychain entries too). */
  async remove(id: string): Promise<Outcome<{ id: string }>> {
    const outcome = await settle(api().deleteTemplate({ id }));
    if (outcome.ok) this.forget(id);
    return outcome;
  }

  /** Finds a template by id in the list as main last described it. */
  find(id: string): TemplateView | undefined {
    return this.templates.find((t) => t.id === id);
  }

  /**
   * Check now: main checks the challenge records at once and, when they are right, issues
   * before it answers, so this can take a while; the row follows each step through events
   * meanwhile. A second call for the same template while one is in flight is ignored (null).
   */
  async checkNow(id: string): Promise<Outcome<TemplateView> | null> {
    if (this.checking.has(id)) return null;
    this.checking.add(id);
    try {
      const outcome = await settle(api().checkTemplateNow({ id }));
      if (outcome.ok) this.apply(outcome.value);
      return outcome;
    } finally {
      this.checking.delete(id);
    }
  }

  /** Retry Generate: main puts the template back to Pending Verification. */
  async retry(id: string): Promise<Outcome<TemplateView>> {
    const outcome = await settle(api().retryTemplate({ id }));
    if (outcome.ok) this.apply(outcome.value);
    return outcome;
  }
}
