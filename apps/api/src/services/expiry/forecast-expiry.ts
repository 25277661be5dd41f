import { ConsentKey } from "@lapse/consent";
import { z } from "zod";
import { requireConsent } from "../consents/load.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { forecastPolicy, HorizonDays } from "./forecast-policy.ts";

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
export async function forecastExpiry({ ctx, input }: ServiceCall<ForecastExpiryInput>) {
  const stored = await requireConsent(ctx, input.consent);
  const policy = stored.consent.expiry;
  if (policy === null) {
    throw new ServiceError(
      "EXPIRY_NOT_CONFIGURED",
      "This consent has no expiry configured; use preview to try a policy.",
    );
  }
  return forecastPolicy(ctx, stored.num, policy, input.horizonDays);
}
