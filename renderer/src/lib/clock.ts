/**
 * A wall clock that reactive code can read: `now()` inside a `$derived` or template makes it
 * re-run once a second, for countdowns such as "next check in 25 seconds"; `minuteNow()` once a
 * minute, for views such as the expiry timeline whose hundreds of rows need no second hand.
 * Each interval runs only while something reads its clock, so a view with no clock on screen
 * costs nothing.
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

/** How often readers of {@link minuteNow} are told the time changed. */
const MINUTE_MS = 60_000;

const subscribeMinutes = createSubscriber((update) => {
  const timer = setInterval(update, MINUTE_MS);
  return () => clearInterval(timer);
});

/** The current time; in reactive code, re-read every minute while anything is reading it. */
export function minuteNow(): Date {
  subscribeMinutes();
  return new Date();
}
