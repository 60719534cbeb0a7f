/**
 * Focus helpers for forms. Validation messages appear when a field is left; when it is left
 * by pressing a pointer on a button, the message must wait until the click is over, or the
 * layout shift would move the button away from under the pointer and swallow the click.
 */
import { tick } from 'svelte';

let pointerDown = false;
window.addEventListener('pointerdown', () => (pointerDown = true), true);
window.addEventListener('pointerup', () => (pointerDown = false), true);
window.addEventListener('pointercancel', () => (pointerDown = false), true);

/** Runs `task` now, or, while a pointer is pressed, right after the click it makes. */
export function afterPointerRelease(task: () => void): void {
  if (!pointerDown) return task();
  const later = () => setTimeout(task, 0);
  window.addEventListener('pointerup', later, { once: true });
  window.addEventListener('pointercancel', later, { once: true });
}

/** Focuses the first `[aria-invalid="true"]` control inside `root`; false when there is none. */
export async function focusFirstInvalid(root: HTMLElement | undefined): Promise<boolean> {
  await tick();
  const field = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
  field?.focus();
  return field !== null && field !== undefined;
}
