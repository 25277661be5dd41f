import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import { consentHistory } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { parseSeqCursor } from "../history/cursor.ts";
import { historyItem } from "../history/view.ts";
import { Cursor } from "../input-fields.ts";

export const ListChangesInput = z
  .strictObject({
    cursor: Cursor.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .default({});
export type ListChangesInput = z.infer<typeof ListChangesInput>;

/**
 * The change feed: every status change of the tenant in the order it was recorded, from a
 * cursor. `seq` only grows and D1 writes one transaction at a time, so a poller that passes
 * back `nextCursor` sees every change once: no gaps, no repeats. An empty page returns the
 * same cursor, to poll again later.
 */
export async function listChanges({ ctx, input }: ServiceCall<ListChangesInput>) {
  const limit = input.limit ?? 100;
  const after = input.cursor === undefined ? 0 : parseSeqCursor(input.cursor, 0);
  const rows = await ctx.db
    .select()
    .from(consentHistory)
    .where(and(eq(consentHistory.tenantId, ctx.tenantId), gt(consentHistory.seq, after)))
    .orderBy(asc(consentHistory.seq))
    .limit(limit);
  return {
    items: rows.map((row) => ({ profileId: row.profileId, ...historyItem(row) })),
    nextCursor: String(rows.at(-1)?.seq ?? after),
  };
}
