import { and, desc, eq, lt } from "drizzle-orm";
import { consentHistory } from "../../db/schema";
import { isoOrNull } from "../consents/view";
import type { ServiceContext } from "../context";
import { parseSeqCursor } from "../history/cursor";

export interface HistoryInput {
  profileId: string;
  /** Opaque: the `nextCursor` of the previous page. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** The proof trail of one profile (R11), newest first, by pages. */
export async function history({ ctx, input }: { ctx: ServiceContext; input: HistoryInput }) {
  const limit = input.limit ?? 50;
  const before = input.cursor === undefined ? undefined : parseSeqCursor(input.cursor, 1);
  const rows = await ctx.db
    .select()
    .from(consentHistory)
    .where(
      and(
        eq(consentHistory.tenantId, ctx.tenantId),
        eq(consentHistory.profileId, input.profileId),
        before === undefined ? undefined : lt(consentHistory.seq, before),
      ),
    )
    .orderBy(desc(consentHistory.seq))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => ({
      consent: row.consentKey,
      consentVersion: row.consentVersion,
      from: row.fromStatus,
      to: row.toStatus,
      reason: row.reason,
      actor: row.actor,
      occurredAt: isoOrNull(row.occurredAt),
      recordedAt: isoOrNull(row.recordedAt),
    })),
    nextCursor: rows.length > limit ? String(page.at(-1)?.seq) : null,
  };
}
