/**
 * A wall clock that reactive code can read: `now()` inside a `$derived` or template makes it
 * re-run once a second, for countdowns such as "next check in 25 seconds". The interval runs
 * only while something reads the clock, so a list with no countdown on screen costs nothing.
 */
import { createSubscriber } from 'svelte/reactivity';

/** How often readers are told the time changed. */
const TICK_MS = 1000;

const subscribe = createSubscriber((update) => {
  const timer = setInterval(update, TICK_MS);
  return () => clearInterval(timer);
});

/** The current time; in reactive code, re-read every second while anything is reading it. */
export function now(): Date {
  subscribe();
  return new Date();
}
