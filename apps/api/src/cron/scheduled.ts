import { runNightlyExpiry } from "../services/expiry/run-nightly.ts";
import type { ExpiryRuntime } from "../services/expiry/runtime.ts";

/** The nightly expiry (R10) with T = the cron's scheduledTime, never the wall clock. */
export async function onScheduled(
  controller: ScheduledController,
  runtime: ExpiryRuntime,
): Promise<void> {
  const outcome = await runNightlyExpiry(runtime.runContext, {
    scheduledAt: controller.scheduledTime,
    trigger: "cron",
    fanOut: runtime.fanOut,
  });
  if (!outcome.started) {
    console.warn(outcome.reason);
  } else if (outcome.status === "failed") {
    throw new Error(`Expiry run ${outcome.runId} failed.`);
  }
}
