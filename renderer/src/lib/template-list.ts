/**
 * The template list as plain data: views newest first, with an id → position index, changed in
 * batches. Main can announce hundreds of changes a second (every CNAME check of every waiting
 * template moves its next-check time), so a change must cost a copy of the array at most, never
 * a sort of 10,000 views; a sort is only needed when a template appears or goes.
 */
import { newestFirst } from '../../../shared/template-order.ts';
import type { TemplateView } from '../../../shared/types.ts';

/** The views newest first and where each id sits among them. */
export interface TemplateList {
  readonly items: readonly TemplateView[];
  readonly index: ReadonlyMap<string, number>;
}

/** Pending changes by id: the newest view, or null when the template was deleted. */
export type TemplateChanges = ReadonlyMap<string, TemplateView | null>;

function indexOf(items: readonly TemplateView[]): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((view, i) => index.set(view.id, i));
  return index;
}

/** The list for views in any order (main's listTemplates answer). */
export function templateList(views: readonly TemplateView[]): TemplateList {
  const items = [...views].sort(newestFirst);
  return { items, index: indexOf(items) };
}

/**
 * The list after `changes`. Views of templates already listed are replaced where they are;
 * new ones are merged in by creation time and deleted ones dropped, which rebuilds the index.
 * The input list is never modified; with no changes it is returned as it is.
 */
export function applyChanges(list: TemplateList, changes: TemplateChanges): TemplateList {
  if (changes.size === 0) return list;
  const items = [...list.items];
  const added: TemplateView[] = [];
  const dropped = new Set<number>();
  for (const [id, view] of changes) {
    const at = list.index.get(id);
    if (at === undefined) {
      if (view) added.push(view);
    } else if (view === null) {
      dropped.add(at);
    } else if (view.createdAt === items[at]?.createdAt) {
      items[at] = view;
    } else {
      // Creation time never changes in practice; if it did, the view moves to its new place.
      dropped.add(at);
      added.push(view);
    }
  }
  if (added.length === 0 && dropped.size === 0) return { items, index: list.index };
  const kept = dropped.size === 0 ? items : items.filter((_, i) => !dropped.has(i));
  const merged = added.length === 0 ? kept : merge(kept, added.sort(newestFirst));
  return { items: merged, index: indexOf(merged) };
}

/** Merges two newest-first lists. */
function merge(a: readonly TemplateView[], b: readonly TemplateView[]): TemplateView[] {
  const out: TemplateView[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as TemplateView;
    const y = b[j] as TemplateView;
    if (newestFirst(y, x) < 0) {
      out.push(y);
      j += 1;
    } else {
      out.push(x);
      i += 1;
    }
  }
  while (i < a.length) out.push(a[i++] as TemplateView);
  while (j < b.length) out.push(b[j++] as TemplateView);
  return out;
}

/** A change set holding one change. */
export function oneChange(id: string, view: TemplateView | null): TemplateChanges {
  return new Map([[id, view]]);
}

/** True when both views show a template at the same stage: the status, and the step while pending. */
function sameStage(a: TemplateView, b: TemplateView): boolean {
  return a.status === b.status && a.step === b.step;
}

/**
 * Changes main announced that are not applied yet, and every id main said it deleted.
 *
 * Changes are kept in batches, applied one batch per frame. Within a batch the newest change of a
 * template wins, which is what keeps thousands of CNAME-check events cheap. A change that moves a
 * template to another stage (Publishing TXT to Confirming TXT, say) never replaces a queued change
 * of a different stage: it goes into the next batch, so every step the administrator is promised
 * to see live reaches the page, in order, however fast main moved through it.
 *
 * Ids are never reused, so a view of a deleted template that arrives later (a list page computed
 * just before the deletion, an event sent just after it) is stale and must not bring it back.
 */
export class PendingChanges {
  #batches: Map<string, TemplateView | null>[] = [];
  readonly #deleted = new Set<string>();

  /** How many batches are waiting (0: nothing to apply). */
  get batches(): number {
    return this.#batches.length;
  }

  /** Queues a change; false when it was ignored as stale. */
  add(id: string, view: TemplateView | null): boolean {
    if (view === null) this.#deleted.add(id);
    else if (this.#deleted.has(id)) return false;
    const last = this.#batches.findLastIndex((batch) => batch.has(id));
    const queued = this.#batches[last]?.get(id);
    // A deletion needs no frame of its own; a change of stage does.
    const replaces = last >= 0 && (!view || !queued || sameStage(queued, view));
    const at = replaces ? last : last + 1;
    if (at === this.#batches.length) this.#batches.push(new Map());
    this.#batches[at]?.set(id, view);
    return true;
  }

  /** Remembers a deletion this window made itself. */
  deleted(id: string): void {
    this.#deleted.add(id);
  }

  /** The oldest batch, taken off the queue (empty when nothing waits). */
  take(): TemplateChanges {
    return this.#batches.shift() ?? new Map();
  }

  /** Every queued change as one batch, newest per template, leaving the queue empty. */
  takeAll(): TemplateChanges {
    const [first, ...rest] = this.#batches;
    this.#batches = [];
    if (!first) return new Map();
    for (const batch of rest) for (const [id, view] of batch) first.set(id, view);
    return first;
  }

  /** Drops the queued changes (the deletions stay remembered). */
  clear(): void {
    this.#batches = [];
  }

  /** A page of views as a change set, without templates known to be deleted. */
  upserts(views: readonly TemplateView[]): TemplateChanges {
    const changes = new Map<string, TemplateView | null>();
    for (const view of views) if (!this.#deleted.has(view.id)) changes.set(view.id, view);
    return changes;
  }
}
