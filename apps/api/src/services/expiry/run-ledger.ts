import { and, eq, sql } from "drizzle-orm";
import { withD1Retry } from "../../db/retry.ts";
import { expiryRun, expiryRunConsent } from "../../db/schema.ts";
import type { ConsentWork } from "./expire-consent.ts";
import type { RunContext } from "./runtime.ts";

/**
 * The run ledger in the control plane: `expiry_run` (one row a run) and `expiry_run_consent`
 * (a run's figures for each consent and shard it worked on; a run's totals are their sums), which the console's run pages and `admin.runs.*` read.
 */

/** What a run did for one consent; added to the consent's row of the run. */
export interface RunConsentFigures {
  expired: number;
  chunks: number;
  rowsRead: number;
  rowsWritten: number;
  durationMs: number;
}

const NO_FIGURES: RunConsentFigures = {
  expired: 0,
  chunks: 0,
  rowsRead: 0,
  rowsWritten: 0,
  durationMs: 0,
};

/**
 * Updates a run's row for one consent on one shard (`expiry_run_consent`): its status, its error, and the
 * figures of the work just done added to those already recorded (a queued consent is worked
 * on by several deliveries).
 */
export async function recordRunConsent(
  rc: RunContext,
  work: Pick<ConsentWork, "runId" | "consentId" | "shard">,
  status: "running" | "succeeded" | "failed",
  figures: RunConsentFigures | null,
  error: string | null,
): Promise<void> {
  const p = figures ?? NO_FIGURES;
  await withD1Retry(() =>
    rc.db
      .update(expiryRunConsent)
      .set({
        status,
        expired: sql`${expiryRunConsent.expired} + ${p.expired}`,
        chunks: sql`${expiryRunConsent.chunks} + ${p.chunks}`,
        rowsRead: sql`${expiryRunConsent.rowsRead} + ${p.rowsRead}`,
        rowsWritten: sql`${expiryRunConsent.rowsWritten} + ${p.rowsWritten}`,
        durationMs: sql`${expiryRunConsent.durationMs} + ${p.durationMs}`,
        error,
      })
      .where(
        and(
          eq(expiryRunConsent.runId, work.runId),
          eq(expiryRunConsent.consentId, work.consentId),
          eq(expiryRunConsent.shard, work.shard),
        ),
      ),
  );
}

/**
 * Marks a run finished once none of its consents is still queued or running: `failed` when
 * any consent failed (or `error` is given), else `succeeded`.
 */
export async function finishRun(
  rc: RunContext,
  runId: string,
  error: unknown,
): Promise<"running" | "succeeded" | "failed"> {
  const counts = await withD1Retry(() =>
    rc.db
      .select({ status: expiryRunConsent.status, n: sql<number>`count(*)` })
      .from(expiryRunConsent)
      .where(eq(expiryRunConsent.runId, runId))
      .groupBy(expiryRunConsent.status),
  );
  const count = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
  if (error === null && count("queued") + count("running") > 0) {
    return "running";
  }
  const status = error !== null || count("failed") > 0 ? "failed" : "succeeded";
  await withD1Retry(() =>
    rc.db
      .update(expiryRun)
      .set({ status, finishedAt: rc.clock(), error: error === null ? null : describeError(error) })
      .where(and(eq(expiryRun.id, runId), eq(expiryRun.status, "running"))),
  );
  return status;
}

/** An error as the ledger keeps it: its message only. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
