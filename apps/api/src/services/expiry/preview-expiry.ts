import {
  ConsentKey,
  configure as configurePolicy,
  ExpiryDays,
  type ExpiryPolicy,
} from "@lapse/consent";
import { z } from "zod";
import { requireConsent } from "../consents/load.ts";
import type { ServiceCall } from "../context.ts";
import { EventTypeList } from "../input-fields.ts";
import { forecastPolicy, HorizonDays } from "./forecast-policy.ts";

export const PreviewExpiryInput = z.strictObject({
  consent: ConsentKey,
  days: ExpiryDays,
  extendOn: EventTypeList,
  /** Forecast a reconfigure: every clock restarts today, even with unchanged criteria. */
  restartClocks: z.boolean().optional(),
  horizonDays: HorizonDays,
});
export type PreviewExpiryInput = z.infer<typeof PreviewExpiryInput>;

/**
 * The forecast of a proposed policy, as if it were activated now (R7: every clock starts
 * today at the latest) — or, for a consent whose expiry is on and keeps its criteria, as
 * `configure` would apply it, clocks unchanged. Future events are unknown, so `extendOn` does
 * not change the figures; it is validated and echoed so the answer describes the policy it was
 * computed for.
 */
export async function previewExpiry({ ctx, input }: ServiceCall<PreviewExpiryInput>) {
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
  return forecastPolicy(ctx, stored.num, policy, input.horizonDays);
}
