import { createExecutionContext } from "cloudflare:test";
import { formatDay, formatDayFrom, MS_PER_DAY, parseDay } from "@lapse/consent";
import { createApp } from "../../src/http/app.ts";
import type { FetchApp } from "./http.ts";

/**
 * Time for the tests, in the domain's own arithmetic (@lapse/consent: instants are epoch
 * milliseconds, days are UTC epoch days): instants relative to now, named days, and a movable
 * clock the API can be given (`createApp({ now })`).
 */

export const DAY_MS = MS_PER_DAY;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** An ISO instant `days` days before `from` (negative: after). */
export function daysAgo(days: number, from = Date.now()): string {
  return new Date(from - days * DAY_MS).toISOString();
}

/** The UTC day (`YYYY-MM-DD`) `offset` days after today (R1). */
export function dayText(offset = 0, from = Date.now()): string {
  return formatDayFrom(from, offset);
}

/** The epoch day of a `YYYY-MM-DD` text (R1: UTC days). */
export function day(text: string): number {
  const parsed = parseDay(text);
  if (parsed === undefined) {
    throw new Error(`not a day: ${text}`);
  }
  return parsed;
}

/** `YYYY-MM-DD` of an epoch day. */
export const dayName = formatDay;

/** An instant on an epoch day, at `HH:MM` UTC (10:00 unless told). */
export function at(epochDay: number, time = "10:00"): number {
  const [h, m] = time.split(":").map(Number);
  return epochDay * DAY_MS + (h ?? 0) * HOUR_MS + (m ?? 0) * MINUTE_MS;
}

/** The cron's scheduledTime on an epoch day: 02:00 UTC (`0 2 * * *` in wrangler.jsonc). */
export function nightOf(epochDay: number): number {
  return at(epochDay, "02:00");
}

export const iso = (instant: number) => new Date(instant).toISOString();

/** A clock the API reads: set it, move it by days. */
export class Clock {
  constructor(public now: number) {}
  /** Moves to `time` (10:00 unless told) on an epoch day. */
  toDay(epochDay: number, time = "10:00"): this {
    this.now = at(epochDay, time);
    return this;
  }
  advanceDays(days: number): this {
    this.now += days * DAY_MS;
    return this;
  }
  get today(): number {
    return Math.floor(this.now / DAY_MS);
  }
}

/** The Worker's app with `clock` as its only notion of now. */
export function clockedApp(clock: Clock): FetchApp {
  const app = createApp({ now: () => clock.now });
  return { fetch: (request, e) => app.fetch(request, e, createExecutionContext()) };
}
