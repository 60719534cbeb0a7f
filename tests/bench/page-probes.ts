/**
 * Scripts the benchmark runs inside the renderer page, kept as source text because the
 * project's Node type-check has no DOM library. Both read only what the page shows; neither
 * touches the contract or the page's state.
 */

/** What the first-row probe records: ms since navigation began, null until it happened. */
export interface FirstRowSample {
  /** The first template row is painted (the newest templates, the first page of the list). */
  firstMs: number | null;
  /** A frame is painted with the table counting every template (all pages merged in). */
  allMs: number | null;
}

/**
 * Init script: records when the first template row is on screen (`firstMs`) and when the table
 * counts all `templates` rows plus its header (`allMs`). Each is the time a task queued from the
 * next animation frame runs, i.e. after the frame showing the change was produced. Rows only
 * appear once main answered the list (the page ignores earlier events), so the first row is the
 * list's, not a stray update's. Read `window.__benchFirstRow` after evaluating
 * `firstRowProbe(templates)`.
 */
export function firstRowProbe(templates: number): string {
  return `((rowCount) => {
  const found = { firstMs: null, allMs: null };
  window.__benchFirstRow = found;
  const afterPaint = (key) =>
    requestAnimationFrame(() => setTimeout(() => (found[key] = performance.now()), 0));
  let firstSeen = false;
  let allSeen = false;
  const observer = new MutationObserver(() => {
    const table = document.querySelector('[role="table"]');
    if (!table || !table.querySelector('[role="row"][aria-rowindex="2"]')) return;
    if (!firstSeen) {
      firstSeen = true;
      afterPaint('firstMs');
    }
    if (!allSeen && table.getAttribute('aria-rowcount') === String(rowCount)) {
      allSeen = true;
      afterPaint('allMs');
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})(${JSON.stringify(templates + 1)});`;
}

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
