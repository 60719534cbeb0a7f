/**
 * The rows a virtualized list renders: those in the viewport plus a few above and below, so
 * fast scrolling never shows a gap. Rows have a fixed height, so this is arithmetic, not DOM
 * measurement. Used by VirtualRows, the body of the template list and of the expiry timeline.
 */

/** Rows rendered above and below the visible ones. */
export const OVERSCAN_ROWS = 8;

/** Index of the first row to render and one past the last, for `rows.slice(first, last)`. */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN_ROWS);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + OVERSCAN_ROWS);
  return { first, last };
}
