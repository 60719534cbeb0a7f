/**
 * Scripts the benchmark runs inside the renderer page, kept as source text because the
 * project's Node type-check has no DOM library. Both read only what the page shows; neither
 * touches the contract or the page's state.
 */

/**
 * Init script: records when the first template row enters the DOM (`domMs`) and when the
 * frame showing it has been produced (`paintMs`: a task queued from the next animation frame
 * runs after that frame's paint). Times are performance.now(), i.e. ms since navigation began.
 */
export const FIRST_ROW_PROBE = `(() => {
  const found = { domMs: null, paintMs: null };
  window.__benchFirstRow = found;
  const row = () =>
    document.querySelector('[role="table"] [role="row"][aria-rowindex="2"]');
  const observer = new MutationObserver(() => {
    if (found.domMs !== null || !row()) return;
    found.domMs = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => (found.paintMs = performance.now()), 0));
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

/** What the scroll script returns. */
export interface ScrollSample {
  /** ms between consecutive animation frames while scrolling. */
  deltas: number[];
  /** Rows in the DOM at the end (the list must stay virtualized). */
  rowsInDom: number;
  /** aria-rowcount of the table (templates + header). */
  rowCount: number;
}

/**
 * Scrolls the list's row viewport by `step` px every animation frame for `frames` frames,
 * jumping to a far position every 60 frames (a drag of the scroll bar), and returns the time
 * between frames. Evaluate `scrollScript(frames, step)`.
 */
export function scrollScript(frames: number, step: number): string {
  return `(async ({ frames, step }) => {
    const table = document.querySelector('[role="table"][aria-label="Certificate templates"]');
    const viewport = table.querySelectorAll('[role="rowgroup"]')[1];
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const deltas = [];
    let last = await frame();
    for (let i = 0; i < frames; i += 1) {
      if (i % 60 === 59) viewport.scrollTop = ((i * 7919) % 1000) / 1000 * viewport.scrollHeight;
      else viewport.scrollTop += step;
      const now = await frame();
      deltas.push(now - last);
      last = now;
    }
    return {
      deltas,
      rowsInDom: table.querySelectorAll('[role="row"]').length,
      rowCount: Number(table.getAttribute('aria-rowcount')),
    };
  })(${JSON.stringify({ frames, step })})`;
}
