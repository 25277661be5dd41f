import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { RunContext } from "../expiry/expire-consent";
import { type FanOut, runExpiry } from "../expiry/run-nightly";
import { get } from "./get";

/**
 * Runs the expiry now for this tenant only, as of `asOf` (default now). `asOf` may not be in
 * the future: that would lapse consents before their time.
 */
export async function trigger({
  ctx,
  input,
  runtime,
}: {
  ctx: ServiceContext;
  input: { asOf?: number | undefined };
  runtime: { runContext: RunContext; fanOut: FanOut | undefined };
}) {
  const asOf = input.asOf ?? ctx.now;
  // Strictly: the 5-minute skew allowed for events (R5) would let an asOf shortly after
  // midnight, sent just before it, lapse consents a day early.
  if (asOf > ctx.now) {
    throw new ServiceError("BAD_REQUEST", "asOf may not be in the future.", [
      { path: "asOf", message: "must not be later than now" },
    ]);
  }
  const outcome = await runExpiry(runtime.runContext, {
    scheduledAt: asOf,
    trigger: "admin",
    tenantId: ctx.tenantId,
    fanOut: runtime.fanOut,
  });
  if (!outcome.started) throw new ServiceError("CONFLICT", outcome.reason);
  return get({ ctx, input: { id: outcome.runId } });
}
