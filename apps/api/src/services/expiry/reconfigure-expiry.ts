import { ConsentKey, ExpiryDays, reconfigure as reconfigurePolicy } from "@lapse/consent";
import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { EventTypeList } from "../input-fields.ts";
import { applyPolicyTransition } from "./policy-transition.ts";

export const ReconfigureExpiryInput = z.strictObject({
  consent: ConsentKey,
  days: ExpiryDays.optional(),
  extendOn: EventTypeList,
});
export type ReconfigureExpiryInput = z.infer<typeof ReconfigureExpiryInput>;

/** R8: new criteria and re-activation in one step; every clock restarts today. */
export function reconfigureExpiry({ ctx, input }: ServiceCall<ReconfigureExpiryInput>) {
  return applyPolicyTransition(ctx, input.consent, (s) =>
    reconfigurePolicy(s.consent.expiry, { days: input.days, extendOn: input.extendOn }, ctx.now),
  );
}
