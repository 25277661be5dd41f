import type { Consent, ConsentState, ExpiryPolicy, HistoryEntry } from "./schemas.ts";
import { historyEntry } from "./status.ts";
import { type Day, dayOf, type Instant, maxDay, startOfDay } from "./time.ts";

/** The UTC day of the policy's last activation, or null if never activated. */
export function activationDay(policy: ExpiryPolicy): Day | null {
  return policy.activatedAt === null ? null : dayOf(policy.activatedAt);
}

/**
 * R7: the clock of a state under an active policy starts no earlier than the activation day.
 * This is what makes (re-)activation O(1): nothing is rewritten, the maximum is taken on read.
 */
export function effectiveLastActivity(
  lastActivityDay: Day | null,
  policy: ExpiryPolicy,
): Day | null {
  return maxDay(lastActivityDay, activationDay(policy));
}

/**
 * The day an accepted state lapses: the first run day on which it is due (R10). Null when it
 * does not lapse: not accepted, or the policy is off (R9) or absent.
 */
export function expiresOn(state: ConsentState, policy: ExpiryPolicy | null): Day | null {
  if (policy === null || !policy.enabled || state.status !== "accepted") {
    return null;
  }
  const from = effectiveLastActivity(state.lastActivityDay, policy);
  return from === null ? null : from + policy.days;
}

/** R10: whether the run of `runDay` turns this state back to `unknown`. */
export function isDue(state: ConsentState, policy: ExpiryPolicy | null, runDay: Day): boolean {
  const on = expiresOn(state, policy);
  return on !== null && on <= runDay;
}

/**
 * The earliest run day on which any state of this policy can be due: nothing is due before
 * `activationDay + days`, whatever the states, so a run skips the consent entirely.
 */
export function firstPossibleDueDay(policy: ExpiryPolicy): Day | null {
  const from = activationDay(policy);
  return !policy.enabled || from === null ? null : from + policy.days;
}

/**
 * The largest last-activity day that is due on `runDay`, for a scan by index: a state is due
 * iff `lastActivityDay <= dueThroughDay` (or has none), given `firstPossibleDueDay <= runDay`.
 */
export function dueThroughDay(policy: ExpiryPolicy, runDay: Day): Day {
  return runDay - policy.days;
}

/**
 * The instant an accepted state lapses: the start (00:00 UTC) of its lapse day. From then on
 * the consent is not valid, whether or not the nightly run has recorded it (R10).
 */
export function lapsesAt(state: ConsentState, policy: ExpiryPolicy | null): Instant | null {
  const on = expiresOn(state, policy);
  return on === null ? null : startOfDay(on);
}

/**
 * R10 read-time truth: the state as the nightly run would leave it if it ran at `now`. A state
 * past its lapse day reads `unknown`, expired at the start of that day, with `lapsed` true
 * until the run (or a write) records it; any other state is returned as it is.
 */
export function stateAt(
  state: ConsentState,
  policy: ExpiryPolicy | null,
  now: Instant,
): { state: ConsentState; lapsed: boolean } {
  const at = lapsesAt(state, policy);
  if (at === null || at > now) {
    return { state, lapsed: false };
  }
  return {
    state: { ...state, status: "unknown", statusChangedAt: at, expiredAt: at },
    lapsed: true,
  };
}

/**
 * R10 at `now`: an accepted state has lapsed when its last activity is on or before this day
 * (or absent); null when no state of the policy can have lapsed yet (or it is off). What a
 * blind write (an extension by event) checks so that it never revives a lapsed consent.
 */
export function lapsedThroughDay(policy: ExpiryPolicy | null, now: Instant): Day | null {
  const first = policy === null ? null : firstPossibleDueDay(policy);
  return policy === null || first === null || first > dayOf(now)
    ? null
    : dueThroughDay(policy, dayOf(now));
}

/**
 * The lapse of a due state (R10, R11): `unknown`, with `expiredAt` kept. It lapsed at the start
 * of its lapse day (`lapsesAt`), however late the run that records it; `runAt` is used only for
 * a state with no lapse day under the consent's policy.
 */
export function expire(
  state: ConsentState,
  consent: Consent,
  context: { profileId: string; runAt: Instant; now: Instant },
): { next: ConsentState; history: HistoryEntry } {
  const at = lapsesAt(state, consent.expiry) ?? context.runAt;
  return {
    next: { ...state, status: "unknown", statusChangedAt: at, expiredAt: at },
    history: historyEntry(consent, state.status, "unknown", {
      profileId: context.profileId,
      reason: "expired",
      actor: "cron",
      occurredAt: at,
      now: context.now,
    }),
  };
}

/** How many accepted states have a given last-activity day (null: never set). */
export interface ActivityBucket {
  lastActivityDay: Day | null;
  count: number;
}

export interface ForecastDay {
  day: Day;
  count: number;
}

/**
 * How many accepted states lapse at each of the next `horizonDays` runs, from `fromDay` on, if
 * no customer does anything (R7, R10). States already overdue lapse at the first run and are
 * counted on `fromDay`. A disabled policy forecasts nothing (R9).
 */
export function forecast(
  histogram: readonly ActivityBucket[],
  policy: ExpiryPolicy,
  fromDay: Day,
  horizonDays: number,
): ForecastDay[] {
  const days: ForecastDay[] = Array.from({ length: horizonDays }, (_, i) => ({
    day: fromDay + i,
    count: 0,
  }));
  if (!policy.enabled) {
    return days;
  }
  for (const { lastActivityDay, count } of histogram) {
    const from = effectiveLastActivity(lastActivityDay, policy);
    if (from === null) {
      continue;
    }
    const index = Math.max(0, from + policy.days - fromDay);
    const bucket = days[index];
    if (bucket) {
      bucket.count += count;
    }
  }
  return days;
}
