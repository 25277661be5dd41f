import { ConsentKey, deactivate as deactivatePolicy } from "@lapse/consent";
import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { applyPolicyTransition } from "./policy-transition.ts";

export const DeactivateExpiryInput = z.strictObject({ consent: ConsentKey });
export type DeactivateExpiryInput = z.infer<typeof DeactivateExpiryInput>;

/** R9: expiry off; nothing of this consent lapses until it is on again. */
export function deactivateExpiry({ ctx, input }: ServiceCall<DeactivateExpiryInput>) {
  return applyPolicyTransition(ctx, input.consent, (s) => deactivatePolicy(s.consent.expiry));
}
