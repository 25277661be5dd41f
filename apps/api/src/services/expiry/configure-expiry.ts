import { ConsentKey, configure as configurePolicy, ExpiryDays } from "@lapse/consent";
import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { EventTypeList } from "../input-fields.ts";
import { applyPolicyTransition } from "./policy-transition.ts";

export const ConfigureExpiryInput = z.strictObject({
  consent: ConsentKey,
  days: ExpiryDays.optional(),
  extendOn: EventTypeList.optional(),
});
export type ConfigureExpiryInput = z.infer<typeof ConfigureExpiryInput>;

/** R8: days and extending events; extending events only while expiry is off. */
export function configureExpiry({ ctx, input }: ServiceCall<ConfigureExpiryInput>) {
  return applyPolicyTransition(ctx, input.consent, (s) =>
    configurePolicy(s.consent.expiry, { days: input.days, extendOn: input.extendOn }),
  );
}
