/**
 * One template's details as main describes them (getTemplateDetails): the latest check of each
 * challenge record, every certificate and the audit log. Kept current while watched: every
 * templateChanged event for the template reloads them, and events that arrive while a load is
 * in flight are folded into one more load, so a burst of step changes costs two calls at most.
 */
import type { TemplateDetails } from '../../../shared/types.ts';
import { api, settle } from '../lib/api.ts';

/** Details of the template with `id`; create one per opened view. */
export class TemplateDetailsState {
  /** The last answer main gave; null until the first one arrives. */
  details = $state.raw<TemplateDetails | null>(null);
  /** Why the last load failed (main's sentence); null after a successful one. */
  error = $state<string | null>(null);
  /** True when main said the template no longer exists. */
  removed = $state(false);
  readonly #id: string;
  #loading: Promise<void> | null = null;
  #again = false;

  constructor(id: string) {
    this.#id = id;
  }

  /** The template these details belong to. */
  get id(): string {
    return this.#id;
  }

  /**
   * Loads the details now, or, when a load is already in flight, once more after it; resolves
   * when the details are current as of this call.
   */
  async load(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#fetch().finally(() => (this.#loading = null));
    return this.#loading;
  }

  async #fetch(): Promise<void> {
    do {
      this.#again = false;
      const outcome = await settle(api().getTemplateDetails({ id: this.#id }));
      if (outcome.ok) {
        this.details = outcome.value;
        this.error = null;
      } else {
        this.error = outcome.error.message;
        this.removed = outcome.error.code === 'not-found';
      }
    } while (this.#again && !this.removed);
  }

  /** Loads now and reloads on every change main announces for this template; returns the stop. */
  watch(): () => void {
    const offChanged = api().onTemplateChanged((view) => {
      if (view.id === this.#id) void this.load();
    });
    const offRemoved = api().onTemplateRemoved(({ id }) => {
      if (id === this.#id) this.removed = true;
    });
    void this.load();
    return () => {
      offChanged();
      offRemoved();
    };
  }
}
