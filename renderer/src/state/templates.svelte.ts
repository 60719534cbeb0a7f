/**
 * The template list as the renderer holds it: every TemplateView main sent, newest first, the
 * name and status filters, and the rows selected for export. Events from main (templateChanged,
 * templateRemoved) are applied here, so the list stays current without reloading it. They are
 * gathered and applied once per animation frame: with thousands of templates waiting for their
 * CNAME, main announces a change for each check, and one list update per event would leave no
 * time to draw. A template that moves from step to step is still drawn at each step, one frame
 * apiece (see PendingChanges).
 */
import { SvelteSet } from 'svelte/reactivity';
import type { RequestInput } from '../../../shared/contract.ts';
import type { TemplateInput } from '../../../shared/template-input.ts';
import type { TemplateStatus, TemplateView } from '../../../shared/types.ts';
import { api, settle, type Outcome } from '../lib/api.ts';
import { showName } from '../lib/format.ts';
import {
  PendingChanges,
  applyChanges,
  oneChange,
  templateList,
  type TemplateChanges,
  type TemplateList,
} from '../lib/template-list.ts';

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

/** Templates in the first page asked for: more than a window shows, little enough to be quick. */
const FIRST_PAGE = 100;
/** Templates per page after the first: about a megabyte of JSON each. */
const NEXT_PAGE = 2_000;

/**
 * Longest wait for an animation frame before queued events are applied anyway: a hidden window
 * (closed to the tray) gets no frames, and its list must still be current when it is shown.
 */
const FRAME_FALLBACK_MS = 250;

/** One instance per window; components read its fields and call its methods. */
export class TemplatesState {
  /** A template the shell asked to show (tray item, notification); the tab opens its details. */
  requestedDetails = $state<string | null>(null);
  /**
   * Every template as main last described it, newest first. Replaced, never mutated, on each
   * change; #list holds the same array with its id index.
   */
  templates = $state.raw<readonly TemplateView[]>([]);
  #list: TemplateList = templateList([]);
  /** Events not applied yet, and the ids main deleted. */
  readonly #pending = new PendingChanges();
  /** False until listTemplates answered: events before that are older than the answer. */
  #listed = false;
  #frame: number | undefined;
  #fallback: ReturnType<typeof setTimeout> | undefined;
  /** True once the first listTemplates answer arrived (even an error). */
  loaded = $state(false);
  /** True once every page of the list arrived; until then the list holds the newest ones. */
  complete = $state(false);
  /** Why the list could not be loaded; null when it was. */
  loadError = $state<string | null>(null);
  /** The newest templates are listed and older ones are still on their way. */
  readonly loadingMore = $derived(this.loaded && !this.complete && this.loadError === null);
  /** Text the Filter by name box holds. */
  nameFilter = $state('');
  /** Value of the Status filter. */
  statusFilter = $state<StatusFilter>('all');
  /** Ids of the rows ticked for export. */
  readonly selected = new SvelteSet<string>();
  /** Ids of the templates whose Check now is in flight from this window. */
  readonly checking = new SvelteSet<string>();

  /** The rows the filters let through, newest first. */
  readonly visible = $derived.by(() => {
    const needle = this.nameFilter.trim().toLowerCase();
    const status = this.statusFilter;
    if (needle === '' && status === 'all') return this.templates;
    return this.templates.filter(
      (t) =>
        (status === 'all' || t.status === status) &&
        (needle === '' || haystack(t).includes(needle)),
    );
  });

  /** True when every visible row is selected (and there is at least one). */
  readonly allVisibleSelected = $derived(
    this.visible.length > 0 && this.visible.every((t) => this.selected.has(t.id)),
  );

  /**
   * Loads the list from main, replacing what was there: the newest templates first, so the
   * window shows rows at once, then the rest page by page, each merged in as it arrives.
   */
  async load(): Promise<void> {
    this.complete = false;
    const first = await settle(api().listTemplates({ limit: FIRST_PAGE }));
    this.loaded = true;
    if (!first.ok) {
      this.loadError = first.error.message;
      return;
    }
    // Events that arrived before the answer describe the list as it was before it: drop them.
    this.#cancelFlush();
    this.#pending.clear();
    this.#listed = true;
    this.#commit(applyChanges(templateList([]), this.#pending.upserts(first.value)));
    this.loadError = null;
    let page = first.value;
    let limit = FIRST_PAGE;
    while (page.length === limit) {
      const last = page[page.length - 1] as TemplateView;
      limit = NEXT_PAGE;
      const next = await settle(
        api().listTemplates({ limit, after: { createdAt: last.createdAt, id: last.id } }),
      );
      if (!next.ok) {
        this.loadError = `Only the newest ${this.templates.length} templates could be loaded: ${next.error.message}`;
        return;
      }
      // Events received before this page are older than it: apply them first, then the page.
      this.flush();
      this.#commit(applyChanges(this.#list, this.#pending.upserts(next.value)));
      page = next.value;
    }
    this.complete = true;
  }

  /** Subscribes to main's template events; returns the function that unsubscribes. */
  subscribe(): () => void {
    const offChanged = api().onTemplateChanged((view) => this.#queue(view.id, view));
    const offRemoved = api().onTemplateRemoved(({ id }) => this.#queue(id, null));
    return () => {
      offChanged();
      offRemoved();
      this.#cancelFlush();
    };
  }

  /**
   * Applies every queued event now. Answers to this window's own requests go through here
   * first, so a queued event older than the answer can never overwrite it later.
   */
  flush(): void {
    this.#cancelFlush();
    if (this.#pending.batches > 0) this.#applyBatch(this.#pending.takeAll());
  }

  /** A frame's worth: the oldest batch of events, and another frame for the next one. */
  #flushFrame(): void {
    this.#cancelFlush();
    this.#applyBatch(this.#pending.take());
    if (this.#pending.batches > 0) this.#scheduleFlush();
  }

  #applyBatch(changes: TemplateChanges): void {
    this.#commit(applyChanges(this.#list, changes));
    for (const [id, view] of changes) if (view === null) this.selected.delete(id);
  }

  /** Adds a template or replaces the one with the same id, at once. */
  apply(view: TemplateView): void {
    this.flush();
    this.#commit(applyChanges(this.#list, oneChange(view.id, view)));
  }

  /** Drops a template from the list and from the selection, at once. */
  forget(id: string): void {
    this.flush();
    this.#commit(applyChanges(this.#list, oneChange(id, null)));
    this.selected.delete(id);
  }

  #commit(list: TemplateList): void {
    if (list === this.#list) return;
    this.#list = list;
    this.templates = list.items;
  }

  #queue(id: string, view: TemplateView | null): void {
    // Until the list arrived, a few rows from events would pass for the whole list.
    if (!this.#listed) {
      if (view === null) this.#pending.deleted(id);
      return;
    }
    if (this.#pending.add(id, view)) this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#frame !== undefined || this.#fallback !== undefined) return;
    this.#frame = requestAnimationFrame(() => this.#flushFrame());
    this.#fallback = setTimeout(() => this.#flushFrame(), FRAME_FALLBACK_MS);
  }

  #cancelFlush(): void {
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    if (this.#fallback !== undefined) clearTimeout(this.#fallback);
    this.#frame = undefined;
    this.#fallback = undefined;
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
    if (outcome.ok) {
      this.#pending.deleted(id);
      this.forget(id);
    }
    return outcome;
  }

  /** Finds a template by id in the list as main last described it. */
  find(id: string): TemplateView | undefined {
    // Reading `templates` first makes a $derived that calls this depend on the list.
    const items = this.templates;
    const at = this.#list.index.get(id);
    return at === undefined ? undefined : items[at];
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
