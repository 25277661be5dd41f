import {
  type ActivityBucket,
  configure as configurePolicy,
  dayOf,
  type EventType,
  type ExpiryPolicy,
  forecast as forecastDays,
  formatDay,
} from "@lapse/consent";
import { requireConsent } from "../consents/load";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";

export const MAX_HORIZON_DAYS = 366;

/**
 * How many accepted states of a consent have each last-activity day, read through the partial
 * index. Only days that can lapse within the horizon are read: later ones cannot matter.
 */
async function histogram(
  ctx: ServiceContext,
  consentId: string,
  beforeDay: number,
): Promise<ActivityBucket[]> {
  const { results } = await ctx.db.$client
    .prepare(
      `SELECT last_activity_day AS lastActivityDay, COUNT(*) AS count FROM consent_state
       WHERE tenant_id = ?1 AND consent_id = ?2 AND status = 'accepted' AND last_activity_day < ?3
       GROUP BY last_activity_day`,
    )
    .bind(ctx.tenantId, consentId, beforeDay)
    .all<ActivityBucket>();
  return results;
}

function answer(policy: ExpiryPolicy, days: ReturnType<typeof forecastDays>) {
  return {
    policy: { days: policy.days, extendOn: policy.extendOn, enabled: policy.enabled },
    days: days.map((d) => ({ day: formatDay(d.day), count: d.count })),
    total: days.reduce((sum, d) => sum + d.count, 0),
  };
}

/**
 * States of a consent that lapse on each of the next `horizonDays` runs, from today, if no
 * customer does anything (R7, R10). Already overdue states count on today. Nothing lapses
 * while expiry is off (R9), so a disabled policy forecasts zeros.
 */
export async function forecast({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { consent: string; horizonDays: number };
}) {
  const stored = await requireConsent(ctx, input.consent);
  const policy = stored.consent.expiry;
  if (policy === null) {
    throw new ServiceError(
      "EXPIRY_NOT_CONFIGURED",
      "This consent has no expiry configured; use preview to try a policy.",
    );
  }
  const today = dayOf(ctx.now);
  const buckets = await histogram(ctx, stored.id, today + input.horizonDays - policy.days);
  return answer(policy, forecastDays(buckets, policy, today, input.horizonDays));
}

/**
 * The forecast of a proposed policy, as if it were activated now (R7: every clock starts
 * today at the latest) — or, for a consent whose expiry is on and keeps its criteria, as
 * `configure` would apply it, clocks unchanged. Future events are unknown, so `extendOn` does not change the figures;
 * it is validated and echoed so the answer describes the policy it was computed for.
 */
export async function preview({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: {
    consent: string;
    days: number;
    extendOn: EventType[];
    horizonDays: number;
    /** Forecast a reconfigure (every clock restarts today) even if the criteria are the same. */
    restartClocks?: boolean | undefined;
  };
}) {
  const stored = await requireConsent(ctx, input.consent);
  // While expiry is on, new days with the same criteria apply as they are (R8: configure
  // keeps every clock); other criteria need reconfigure, which restarts them today (R7).
  const current = stored.consent.expiry;
  const kept =
    current?.enabled && !input.restartClocks
      ? configurePolicy(current, { days: input.days, extendOn: input.extendOn })
      : null;
  const policy: ExpiryPolicy = kept?.ok
    ? kept.policy
    : { days: input.days, extendOn: input.extendOn, enabled: true, activatedAt: ctx.now };
  const today = dayOf(ctx.now);
  const buckets = await histogram(ctx, stored.id, today + input.horizonDays - policy.days);
  return answer(policy, forecastDays(buckets, policy, today, input.horizonDays));
}
