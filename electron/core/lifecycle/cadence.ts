/**
 * How often a template waiting for its CNAME records is checked: every 30 seconds for the
 * first 10 minutes after it was created (or retried), when the administrator is most likely
 * creating the record right now; then every 5 minutes until an hour has passed; then hourly.
 * "Check now" runs at once, outside this cadence.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const CHECK_CADENCE = [
  { until: 10 * MINUTE, every: 30 * SECOND },
  { until: 60 * MINUTE, every: 5 * MINUTE },
  { until: Infinity, every: 60 * MINUTE },
] as const;

/** The time of the next check, given when checking started and when the last check ran. */
export function nextCheckAt(since: number, lastCheck: number): number {
  const elapsed = Math.max(0, lastCheck - since);
  const band = CHECK_CADENCE.find((b) => elapsed < b.until) ?? CHECK_CADENCE[2];
  return lastCheck + band.every;
}
