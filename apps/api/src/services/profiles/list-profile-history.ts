import { ProfileId } from "@lapse/consent";
import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { parseSeqCursor } from "../history/cursor.ts";
import { consentKeys, type HistoryRow, historyItem, historySelect } from "../history/view.ts";
import { Cursor } from "../input-fields.ts";
import { forProfile } from "../shards/route.ts";

export const ListProfileHistoryInput = z.strictObject({
  profileId: ProfileId,
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: Cursor.optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type ListProfileHistoryInput = z.infer<typeof ListProfileHistoryInput>;

/**
 * The proof trail of one profile (R11), newest first, by pages: its status changes in the
 * log on the profile's shard, found through the profile row (an erased profile has none, so its trail is empty, R13).
 */
export async function listProfileHistory({ ctx, input }: ServiceCall<ListProfileHistoryInput>) {
  const limit = input.limit ?? 50;
  const before =
    input.cursor === undefined ? Number.MAX_SAFE_INTEGER : parseSeqCursor(input.cursor, 1);
  const read = forProfile(ctx, input.profileId)
    .data.$client.prepare(
      `${historySelect()}
       JOIN profile AS p ON p.id = e.profile AND p.tenant = e.tenant
       WHERE p.tenant = ?1 AND p.external_id = ?2 AND e.idx < ?3 AND e.kind = 1
       ORDER BY e.idx DESC LIMIT ?4`,
    )
    .bind(ctx.tenantNum, input.profileId, before, limit + 1)
    .all<HistoryRow>();
  const [{ results }, keys] = await Promise.all([read, consentKeys(ctx)]);
  const page = results.slice(0, limit);
  return {
    items: page.map((row) => historyItem(row, keys)),
    nextCursor: results.length > limit ? String(page.at(-1)?.idx) : null,
  };
}
