import { activate as activatePolicy, ConsentKey } from "@lapse/consent";
import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { applyPolicyTransition } from "./policy-transition.ts";

export const ActivateExpiryInput = z.strictObject({ consent: ConsentKey });
export type ActivateExpiryInput = z.infer<typeof ActivateExpiryInput>;

/** R7: expiry on; every accepted state's clock starts today at the latest. */
export function activateExpiry({ ctx, input }: ServiceCall<ActivateExpiryInput>) {
  return applyPolicyTransition(ctx, input.consent, (s) =>
    activatePolicy(s.consent.expiry, ctx.now),
  );
}
