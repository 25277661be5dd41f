import { runNightlyExpiry } from "../services/expiry/run-nightly.ts";
import type { ExpiryRuntime } from "../services/expiry/runtime.ts";

/** wrangler.jsonc `triggers.crons`: the nightly expiry, and the sealing of the logs. */
export const NIGHTLY_CRON = "0 2 * * *";
export const SEAL_CRON = "* * * * *";

/**
 * The crons, by `controller.cron`: every minute the logs' new entries are sealed into their
 * trees and a checkpoint signed (R11, docs/proof.md: the sealing window); at 02:00 UTC the
 * nightly expiry (R10) runs with T = the cron's scheduledTime, never the wall clock, and seals
 * at its end. Any other schedule is a configuration mistake and fails loudly.
 */
export async function onScheduled(
  controller: ScheduledController,
  runtime: ExpiryRuntime,
): Promise<void> {
  if (controller.cron === SEAL_CRON) {
    if (!runtime.runContext.seal) {
      throw new Error("This runtime cannot seal: it was built without the proof keys.");
    }
    await runtime.runContext.seal();
    return;
  }
  if (controller.cron !== NIGHTLY_CRON && controller.cron !== "") {
    throw new Error(
      `No job for the cron ${JSON.stringify(controller.cron)}: wrangler.jsonc schedules ${NIGHTLY_CRON} (expiry) and ${SEAL_CRON} (sealing).`,
    );
  }
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
