import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { expiryRun, expiryRunConsent } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { groupBy } from "../group-by.ts";
import { runView, visibleTo } from "./view.ts";

export const GetRunInput = z.strictObject({ id: z.string().min(1).max(64) });
export type GetRunInput = z.infer<typeof GetRunInput>;

/** One run with this tenant's per-consent figures, D1's rows read and written included. */
export async function getRun({ ctx, input }: ServiceCall<GetRunInput>) {
  const run = await ctx.db
    .select()
    .from(expiryRun)
    .where(and(eq(expiryRun.id, input.id), visibleTo(ctx.tenantId)))
    .get();
  if (!run) {
    throw new ServiceError("NOT_FOUND", `No run '${input.id}'.`);
  }
  const consents = await ctx.db
    .select()
    .from(expiryRunConsent)
    .where(and(eq(expiryRunConsent.runId, run.id), eq(expiryRunConsent.tenantId, ctx.tenantId)))
    .orderBy(asc(expiryRunConsent.consentKey));
  const slotOfBinding = new Map(ctx.shards.map((shard) => [shard.binding, shard.slot]));
  const sum = (rows: typeof consents, pick: (c: (typeof consents)[number]) => number) =>
    rows.reduce((total, c) => total + pick(c), 0);
  // A consent of a tenant on several shards has a row per shard: a tenant sees their sums
  // (shards are the operator's, shards:list), failed if one failed, running while one is.
  const byConsent = groupBy(consents, (row) => row.consentId);
  const statusOf = (rows: typeof consents) =>
    (["failed", "running", "queued", "succeeded"] as const).find((status) =>
      rows.some((r) => r.status === status),
    ) ?? "succeeded";
  return {
    ...runView(run, {
      expired: sum(consents, (c) => c.expired),
      chunks: sum(consents, (c) => c.chunks),
      durationMs: sum(consents, (c) => c.durationMs),
      consents: byConsent.size,
    }),
    perConsent: [...byConsent.values()].map((rows) => ({
      consent: rows[0]?.consentKey ?? "",
      status: statusOf(rows),
      expired: sum(rows, (c) => c.expired),
      chunks: sum(rows, (c) => c.chunks),
      durationMs: sum(rows, (c) => c.durationMs),
      rowsRead: sum(rows, (c) => c.rowsRead),
      rowsWritten: sum(rows, (c) => c.rowsWritten),
      error: rows.find((r) => r.error !== null)?.error ?? null,
    })),
    // The same figures for each part of the tenant's data: its log n lives on its own data
    // shard, worked on in parallel (docs/scaling.md). Named by the tenant's log number, never
    // by the shard (shards are the operator's).
    perLog: consents
      .map((c) => ({
        consent: c.consentKey,
        log: slotOfBinding.get(c.shard) ?? null,
        status: c.status,
        expired: c.expired,
        chunks: c.chunks,
        durationMs: c.durationMs,
        rowsRead: c.rowsRead,
        rowsWritten: c.rowsWritten,
      }))
      .sort((a, b) => (a.log ?? -1) - (b.log ?? -1) || a.consent.localeCompare(b.consent)),
  };
}
