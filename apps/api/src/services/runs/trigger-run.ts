import { InstantText } from "@lapse/consent";
import { z } from "zod";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { runNightlyExpiry } from "../expiry/run-nightly.ts";
import type { ExpiryRuntime } from "../expiry/runtime.ts";
import { getRun } from "./get-run.ts";

export const TriggerRunInput = z.strictObject({ asOf: InstantText.optional() }).default({});
export type TriggerRunInput = z.infer<typeof TriggerRunInput>;

/**
 * Runs the expiry now for this tenant only, as of `asOf` (default now). `asOf` may not be in
 * the future: that would lapse consents before their time.
 */
export async function triggerRun({
  ctx,
  input,
  runtime,
}: {
  ctx: ServiceContext;
  input: TriggerRunInput;
  runtime: ExpiryRuntime;
}) {
  const asOf = input.asOf ?? ctx.now;
  // Strictly: the 5-minute skew allowed for events (R5) would let an asOf shortly after
  // midnight, sent just before it, lapse consents a day early.
  if (asOf > ctx.now) {
    throw new ServiceError("BAD_REQUEST", "asOf may not be in the future.", [
      { path: "asOf", message: "must not be later than now" },
    ]);
  }
  const outcome = await runNightlyExpiry(runtime.runContext, {
    scheduledAt: asOf,
    trigger: "admin",
    tenantId: ctx.tenantId,
    fanOut: runtime.fanOut,
  });
  if (!outcome.started) {
    throw new ServiceError("CONFLICT", outcome.reason);
  }
  return getRun({ ctx, input: { id: outcome.runId } });
}
