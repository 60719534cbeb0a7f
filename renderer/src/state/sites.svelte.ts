/**
 * The sites as the renderer holds them: every SiteView main sent, sorted by name, kept current
 * by main's siteChanged events (a renewal deploys by itself, and its result arrives that way).
 * Link and Deploy now can take a while (files, post-deploy command, live check); the ids of
 * sites with one in flight from this window are in `deploying`.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { IpcResult, RequestInput } from '../../../shared/contract.ts';
import type { SiteView } from '../../../shared/types.ts';
import { api, settle, type Outcome } from '../lib/api.ts';

/** What Save site sends. */
export type SiteInput = RequestInput<'saveSite'>;

function byName(sites: readonly SiteView[]): SiteView[] {
  return [...sites].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** One instance per window; the Sites tab and the template details read it. */
export class SitesState {
  /** Every site, as main last described it. Replaced, never mutated, on each change. */
  sites = $state.raw<SiteView[]>([]);
  /** True once the first listSites answer arrived (even an error). */
  loaded = $state(false);
  /** Why the list could not be loaded; null when it was. */
  loadError = $state<string | null>(null);
  /** Ids of the sites whose link or Deploy now is in flight from this window. */
  readonly deploying = new SvelteSet<string>();

  /** All sites by name. */
  readonly sorted = $derived(byName(this.sites));

  /** Loads the list from main; replaces what was there. */
  async load(): Promise<void> {
    const outcome = await settle(api().listSites());
    if (outcome.ok) {
      this.sites = outcome.value;
      this.loadError = null;
    } else {
      this.loadError = outcome.error.message;
    }
    this.loaded = true;
  }

  /** Subscribes to main's site events; returns the function that unsubscribes. */
  subscribe(): () => void {
    return api().onSiteChanged((view) => this.apply(view));
  }

  /** Adds a site or replaces the one with the same id. */
  apply(view: SiteView): void {
    const index = this.sites.findIndex((s) => s.id === view.id);
    if (index === -1) this.sites = [...this.sites, view];
    else this.sites = this.sites.with(index, view);
  }

  /** Finds a site by id. */
  find(id: string): SiteView | undefined {
    return this.sites.find((s) => s.id === id);
  }

  /** The sites a template is linked to, by name. */
  linkedTo(templateId: string): SiteView[] {
    return this.sorted.filter((s) => s.templateIds.includes(templateId));
  }

  /** Creates a site (no id) or changes one; on success the list has it before this resolves. */
  async save(input: SiteInput): Promise<Outcome<SiteView>> {
    const outcome = await settle(api().saveSite(input));
    if (outcome.ok) this.apply(outcome.value);
    return outcome;
  }

  /** Deletes a site; its deployed files stay where they are. */
  async remove(id: string): Promise<Outcome<{ id: string }>> {
    const outcome = await settle(api().deleteSite({ id }));
    if (outcome.ok) this.sites = this.sites.filter((s) => s.id !== id);
    return outcome;
  }

  /**
   * Links a template to a site: main checks the latest certificate covers every host, then
   * deploys it at once, so this resolves after the deployment and its live check.
   */
  link(siteId: string, templateId: string): Promise<Outcome<SiteView>> {
    return this.#deploying(siteId, () => api().linkTemplateToSite({ siteId, templateId }));
  }

  /** Deploys the linked template's latest certificate again, then checks the live site. */
  deployNow(id: string): Promise<Outcome<SiteView>> {
    return this.#deploying(id, () => api().deploySiteNow({ id }));
  }

  async #deploying(
    id: string,
    call: () => Promise<IpcResult<SiteView>>,
  ): Promise<Outcome<SiteView>> {
    this.deploying.add(id);
    try {
      const outcome = await settle(call());
      if (outcome.ok) this.apply(outcome.value);
      return outcome;
    } finally {
      this.deploying.delete(id);
    }
  }
}
