import { ProfileId } from "@lapse/consent";
import { and, desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { consentHistory } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { parseSeqCursor } from "../history/cursor.ts";
import { historyItem } from "../history/view.ts";
import { Cursor } from "../input-fields.ts";

export const ListProfileHistoryInput = z.strictObject({
  profileId: ProfileId,
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: Cursor.optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type ListProfileHistoryInput = z.infer<typeof ListProfileHistoryInput>;

/** The proof trail of one profile (R11), newest first, by pages. */
export async function listProfileHistory({ ctx, input }: ServiceCall<ListProfileHistoryInput>) {
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
    items: page.map(historyItem),
    nextCursor: rows.length > limit ? String(page.at(-1)?.seq) : null,
  };
}
