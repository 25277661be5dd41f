import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { expiryRun, expiryRunConsent } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
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
  const sum = (pick: (c: (typeof consents)[number]) => number) =>
    consents.reduce((total, c) => total + pick(c), 0);
  return {
    ...runView(run, {
      expired: sum((c) => c.expired),
      chunks: sum((c) => c.chunks),
      durationMs: sum((c) => c.durationMs),
      consents: consents.length,
    }),
    perConsent: consents.map((c) => ({
      consent: c.consentKey,
      status: c.status,
      expired: c.expired,
      chunks: c.chunks,
      durationMs: c.durationMs,
      rowsRead: c.rowsRead,
      rowsWritten: c.rowsWritten,
      error: c.error,
    })),
  };
}
