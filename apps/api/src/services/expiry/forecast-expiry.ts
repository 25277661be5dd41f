import { ConsentKey, dayOf, forecast } from "@lapse/consent";
import { z } from "zod";
import { requireConsent } from "../consents/load";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { activityHistogram, forecastAnswer, HorizonDays } from "./lapse-histogram";

export const ForecastExpiryInput = z.strictObject({
  consent: ConsentKey,
  horizonDays: HorizonDays,
});
export type ForecastExpiryInput = z.infer<typeof ForecastExpiryInput>;

/**
 * States of a consent that lapse on each of the next `horizonDays` runs, from today, if no
 * customer does anything (R7, R10). Already overdue states count on today. Nothing lapses
 * while expiry is off (R9), so a disabled policy forecasts zeros.
 */
export async function forecastExpiry({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: ForecastExpiryInput;
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
  const buckets = await activityHistogram(ctx, stored.id, today + input.horizonDays - policy.days);
  return forecastAnswer(policy, forecast(buckets, policy, today, input.horizonDays));
}
