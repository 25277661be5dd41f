import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { expiryRun, expiryRunConsent } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { runView, visibleTo } from "./view.ts";

export const ListRunsInput = z
  .strictObject({ limit: z.number().int().min(1).max(100).optional() })
  .default({});
export type ListRunsInput = z.infer<typeof ListRunsInput>;

/** The latest runs, newest first (one a night: 100 is three months). */
export async function listRuns({ ctx, input }: ServiceCall<ListRunsInput>) {
  const limit = input.limit ?? 30;
  const rows = await ctx.db
    .select({
      run: expiryRun,
      expired: sql<number>`coalesce(sum(${expiryRunConsent.expired}), 0)`,
      chunks: sql<number>`coalesce(sum(${expiryRunConsent.chunks}), 0)`,
      durationMs: sql<number>`coalesce(sum(${expiryRunConsent.durationMs}), 0)`,
      consents: sql<number>`count(DISTINCT ${expiryRunConsent.consentId})`,
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
