import { eq, isNull, or } from "drizzle-orm";
import { expiryRun } from "../../db/schema.ts";
import { iso, isoOrNull } from "../iso.ts";

/**
 * A run as one tenant sees it: the cron's runs and its own triggered ones, with only its own
 * consents' figures (R12: another tenant's counts and errors are not shown).
 */
export function runView(
  run: typeof expiryRun.$inferSelect,
  totals: { expired: number; chunks: number; durationMs: number; consents: number },
) {
  return {
    id: run.id,
    scheduledAt: iso(run.scheduledAt),
    trigger: run.trigger,
    mode: run.mode,
    status: run.status,
    startedAt: iso(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    ...totals,
  };
}

/** The runs a tenant may see: the cron's (no tenant) and its own. */
export function visibleTo(tenantId: string) {
  return or(isNull(expiryRun.tenantId), eq(expiryRun.tenantId, tenantId));
}
