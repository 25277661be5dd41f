import { activate as activatePolicy, ConsentKey } from "@lapse/consent";
import { z } from "zod";
import type { ServiceContext } from "../context";
import { applyPolicyTransition } from "./policy-transition";

export const ActivateExpiryInput = z.strictObject({ consent: ConsentKey });
export type ActivateExpiryInput = z.infer<typeof ActivateExpiryInput>;

/** R7: expiry on; every accepted state's clock starts today at the latest. */
export function activateExpiry({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: ActivateExpiryInput;
}) {
  return applyPolicyTransition(ctx, input.consent, (s) =>
    activatePolicy(s.consent.expiry, ctx.now),
  );
}
