/**
 * Time in Lapse is UTC (R1). An instant is epoch milliseconds; a day is a UTC calendar day,
 * counted as whole days since 1970-01-01 ("epoch day"), so day arithmetic is integer arithmetic
 * and a database index on days is an integer index.
 */

/** Whole days since 1970-01-01 UTC. */
export type Day = number;
/** Milliseconds since 1970-01-01T00:00:00Z. */
export type Instant = number;

export const MS_PER_DAY = 86_400_000;

/** How far in the future an event may be dated (R5): clocks of senders drift. */
export const MAX_EVENT_CLOCK_SKEW_MS = 5 * 60_000;

/** The UTC day an instant falls on. */
export function dayOf(at: Instant): Day {
  return Math.floor(at / MS_PER_DAY);
}

/** The first instant of a day. */
export function startOfDay(day: Day): Instant {
  return day * MS_PER_DAY;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-11-29` for the day; the wire format of days. */
export function formatDay(day: Day): string {
  return new Date(startOfDay(day)).toISOString().slice(0, 10);
}

/** The `YYYY-MM-DD` of the day `offsetDays` after the one `at` falls on (negative: before). */
export function formatDayFrom(at: Instant, offsetDays = 0): string {
  return formatDay(dayOf(at) + offsetDays);
}

/** Parses `YYYY-MM-DD` into a day; `undefined` for anything else, including 2026-02-30. */
export function parseDay(text: string): Day | undefined {
  const match = ISO_DAY.exec(text);
  if (!match) {
    return undefined;
  }
  const at = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = dayOf(at);
  return formatDay(day) === text ? day : undefined;
}

/** The later of two days, where `null` means "none". */
export function maxDay(a: Day | null, b: Day | null): Day | null {
  if (a === null) {
    return b;
  }
  if (b === null) {
    return a;
  }
  return a > b ? a : b;
}
