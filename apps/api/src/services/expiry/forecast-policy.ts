import {
  type ActivityBucket,
  DEFAULT_FORECAST_HORIZON_DAYS,
  dayOf,
  type ExpiryPolicy,
  forecast,
  formatDay,
  MAX_FORECAST_HORIZON_DAYS,
} from "@lapse/consent";
import { z } from "zod";
import type { ServiceContext } from "../context.ts";

/** How many days a forecast or a preview covers: 90 by default, at most 366. */
export const HorizonDays = z
  .number()
  .int()
  .min(1)
  .max(MAX_FORECAST_HORIZON_DAYS)
  .default(DEFAULT_FORECAST_HORIZON_DAYS);

/**
 * How many accepted states of a consent have each last-activity day, read through the partial
 * index of each of the tenant's shards (at once) and summed. Only days that can lapse within
 * the horizon are read: later ones cannot matter.
 */
async function activityHistogram(
  ctx: ServiceContext,
  consentNum: number,
  beforeDay: number,
): Promise<ActivityBucket[]> {
  const answers = await Promise.all(
    ctx.shards.map((shard) =>
      shard.db.$client
        .prepare(
          `SELECT activity_day AS lastActivityDay, COUNT(*) AS count FROM state
           WHERE consent = ?1 AND status = 1 AND activity_day < ?2
           GROUP BY activity_day`,
        )
        .bind(consentNum, beforeDay)
        .all<ActivityBucket>(),
    ),
  );
  const byDay = new Map<ActivityBucket["lastActivityDay"], number>();
  for (const { lastActivityDay, count } of answers.flatMap((a) => a.results)) {
    byDay.set(lastActivityDay, (byDay.get(lastActivityDay) ?? 0) + count);
  }
  return [...byDay]
    .sort(([a], [b]) => (a ?? -1) - (b ?? -1))
    .map(([lastActivityDay, count]) => ({ lastActivityDay, count }));
}

/**
 * The forecast of `policy` for a consent over `horizonDays` from today, as the API answers it:
 * the policy it was computed for, each day's count and the total.
 */
export async function forecastPolicy(
  ctx: ServiceContext,
  consentNum: number,
  policy: ExpiryPolicy,
  horizonDays: number,
) {
  const today = dayOf(ctx.now);
  const buckets = await activityHistogram(ctx, consentNum, today + horizonDays - policy.days);
  const days = forecast(buckets, policy, today, horizonDays);
  return {
    policy: { days: policy.days, extendOn: policy.extendOn, enabled: policy.enabled },
    days: days.map((d) => ({ day: formatDay(d.day), count: d.count })),
    total: days.reduce((sum, d) => sum + d.count, 0),
  };
}
