/**
 * The order of the template list, shared by main and the renderer: newest first, and on the
 * same millisecond by id, so the order is total. Main answers the list in pages along this
 * order, and the renderer asks for the next page by the last template it got; because the order
 * is total and a template's creation time never changes, a page never skips or repeats one,
 * whatever is created or deleted between two pages.
 */

/** What the order looks at. */
export interface TemplateOrderKey {
  createdAt: string;
  id: string;
}

/** Most templates one listTemplates page may ask for. */
export const MAX_TEMPLATE_PAGE = 10_000;

/** Negative when `a` comes first: newer first, then the smaller id. */
export function newestFirst(a: TemplateOrderKey, b: TemplateOrderKey): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
