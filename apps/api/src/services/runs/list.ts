import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import { expiryRun, expiryRunConsent } from "../../db/schema";
import type { ServiceContext } from "../context";

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
    scheduledAt: new Date(run.scheduledAt).toISOString(),
    trigger: run.trigger,
    mode: run.mode,
    status: run.status,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    ...totals,
  };
}

export function visibleTo(tenantId: string) {
  return or(isNull(expiryRun.tenantId), eq(expiryRun.tenantId, tenantId));
}

/** The latest runs, newest first (one a night: 100 is three months). */
export async function list({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { limit?: number | undefined };
}) {
  const limit = input.limit ?? 30;
  const rows = await ctx.db
    .select({
      run: expiryRun,
      expired: sql<number>`coalesce(sum(${expiryRunConsent.expired}), 0)`,
      chunks: sql<number>`coalesce(sum(${expiryRunConsent.chunks}), 0)`,
      durationMs: sql<number>`coalesce(sum(${expiryRunConsent.durationMs}), 0)`,
      consents: sql<number>`count(${expiryRunConsent.consentId})`,
    })
    .from(expiryRun)
    .leftJoin(
      expiryRunConsent,
      and(eq(expiryRunConsent.runId, expiryRun.id), eq(expiryRunConsent.tenantId, ctx.tenantId)),
    )
    .where(visibleTo(ctx.tenantId))
    .groupBy(expiryRun.id)
    .orderBy(desc(expiryRun.startedAt), desc(expiryRun.id))
    .limit(limit);
  return rows.map(({ run, ...totals }) => runView(run, totals));
}
