import { and, desc, eq, isNotNull, min, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { expiryRun, expiryRunConsent, tenant } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { iso, isoOrNull } from "../iso.ts";
import { visibleTo } from "./view.ts";

/** A night is overdue when no run has succeeded for this long (the cron runs every 24 h). */
export const OVERDUE_AFTER_HOURS = 26;
const OVERDUE_AFTER_MS = OVERDUE_AFTER_HOURS * 3_600_000;

export const RunsHealthInput = z.strictObject({}).optional();
export type RunsHealthInput = z.infer<typeof RunsHealthInput>;

/**
 * Whether the nightly expiry keeps up, as one tenant sees it: the last run that succeeded (the
 * cron's, or one the tenant triggered), whether a night is overdue (none succeeded in the last
 * 26 h; a tenant younger than that is not), and the consents whose latest run failed (a
 * failure stands until a later run succeeds for the consent). Another tenant's consents and errors are never shown (R12).
 */
export async function runsHealth({ ctx }: ServiceCall<RunsHealthInput>) {
  const [succeeded] = await ctx.db
    .select()
    .from(expiryRun)
    .where(and(visibleTo(ctx.tenantId), eq(expiryRun.status, "succeeded")))
    .orderBy(desc(expiryRun.finishedAt))
    .limit(1);
  const [latest] = await ctx.db
    .select()
    .from(expiryRun)
    .where(and(visibleTo(ctx.tenantId), isNotNull(expiryRun.finishedAt)))
    .orderBy(desc(expiryRun.finishedAt))
    .limit(1);
  const [created] = await ctx.db
    .select({ at: tenant.createdAt })
    .from(tenant)
    .where(eq(tenant.id, ctx.tenantId));
  // A consent's failure stands until a later run succeeds for it (on that shard).
  const failed = await ctx.db
    .select({
      consent: expiryRunConsent.consentKey,
      runId: expiryRunConsent.runId,
      error: expiryRunConsent.error,
      startedAt: expiryRun.startedAt,
    })
    .from(expiryRunConsent)
    .innerJoin(expiryRun, eq(expiryRun.id, expiryRunConsent.runId))
    .where(
      and(
        eq(expiryRunConsent.tenantId, ctx.tenantId),
        eq(expiryRunConsent.status, "failed"),
        sql`NOT EXISTS (SELECT 1 FROM expiry_run_consent AS later
          JOIN expiry_run AS lr ON lr.id = later.run_id
          WHERE later.tenant_id = ${expiryRunConsent.tenantId}
            AND later.consent_id = ${expiryRunConsent.consentId}
            AND later.shard = ${expiryRunConsent.shard}
            AND later.status = 'succeeded' AND lr.started_at > ${expiryRun.startedAt})`,
      ),
    )
    .orderBy(desc(expiryRun.startedAt));
  const since = succeeded?.finishedAt ?? created?.at ?? ctx.now;
  return {
    lastSucceededRun: succeeded
      ? {
          id: succeeded.id,
          scheduledAt: iso(succeeded.scheduledAt),
          finishedAt: isoOrNull(succeeded.finishedAt),
        }
      : null,
    latestRun: latest
      ? {
          id: latest.id,
          status: latest.status,
          scheduledAt: iso(latest.scheduledAt),
          finishedAt: isoOrNull(latest.finishedAt),
        }
      : null,
    overdue: ctx.now - since > OVERDUE_AFTER_MS,
    overdueAfterHours: OVERDUE_AFTER_HOURS,
    // The newest failure of each consent.
    failedConsents: [...new Map(failed.reverse().map((f) => [f.consent, f])).values()]
      .reverse()
      .map((f) => ({ consent: f.consent, runId: f.runId, error: f.error })),
  };
}

/**
 * The deployment's nightly health for an uptime monitor (`/healthz?deep=1`), with no tenant's
 * data: when the cron's last run succeeded, and whether a night is overdue (none succeeded in
 * the last 26 h, once the oldest tenant is older than that).
 */
export async function deploymentHealth(db: Db, now: number) {
  const [succeeded] = await db
    .select({ finishedAt: expiryRun.finishedAt })
    .from(expiryRun)
    .where(and(eq(expiryRun.trigger, "cron"), eq(expiryRun.status, "succeeded")))
    .orderBy(desc(expiryRun.finishedAt))
    .limit(1);
  const [oldest] = await db.select({ at: min(tenant.createdAt) }).from(tenant);
  const since = succeeded?.finishedAt ?? oldest?.at ?? now;
  return {
    lastSucceededAt: isoOrNull(succeeded?.finishedAt ?? null),
    overdue: now - since > OVERDUE_AFTER_MS,
    overdueAfterHours: OVERDUE_AFTER_HOURS,
  };
}
