import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { parseSeqCursor } from "../history/cursor.ts";
import { type HistoryRow, historyItem, historySelect } from "../history/view.ts";
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
 * cursor (the leaf index to read from). Indices only grow and D1 writes one transaction at a
 * time, so a poller that passes back `nextCursor` sees every change once: no gaps, no repeats.
 * An empty page returns the same cursor, to poll again later. The change of an erased profile
 * stays in the feed with `profileId: null` (R13).
 */
export async function listChanges({ ctx, input }: ServiceCall<ListChangesInput>) {
  const limit = input.limit ?? 100;
  const from = input.cursor === undefined ? 0 : parseSeqCursor(input.cursor, 0);
  const { results } = await ctx.db.$client
    .prepare(
      `${historySelect("p.external_id AS profileId,")}
       LEFT JOIN profile AS p ON p.id = e.profile
       WHERE e.tenant = ?1 AND e.idx >= ?2 AND e.kind = 1
       ORDER BY e.idx LIMIT ?3`,
    )
    .bind(ctx.tenantNum, from, limit)
    .all<HistoryRow & { profileId: string | null }>();
  const last = results.at(-1);
  return {
    items: results.map((row) => ({ profileId: row.profileId, ...historyItem(row) })),
    nextCursor: String(last === undefined ? from : last.idx + 1),
  };
}
