import { and, asc, eq } from "drizzle-orm";
import { consentHistory } from "../../db/schema.ts";
import type { ServiceContext } from "../context.ts";
import { iso } from "../iso.ts";

export type HistoryRow = typeof consentHistory.$inferSelect;

/** One history line as every reader shows it: the trail, the change feed, the proof. */
export function historyItem(row: HistoryRow) {
  return {
    consent: row.consentKey,
    consentVersion: row.consentVersion,
    from: row.fromStatus,
    to: row.toStatus,
    reason: row.reason,
    actor: row.actor,
    occurredAt: iso(row.occurredAt),
    recordedAt: iso(row.recordedAt),
  };
}
export type HistoryItem = ReturnType<typeof historyItem>;

/** One profile's whole trail, oldest first. */
export function loadTrail(ctx: ServiceContext, profileId: string): Promise<HistoryRow[]> {
  return ctx.db
    .select()
    .from(consentHistory)
    .where(and(eq(consentHistory.tenantId, ctx.tenantId), eq(consentHistory.profileId, profileId)))
    .orderBy(asc(consentHistory.seq));
}
