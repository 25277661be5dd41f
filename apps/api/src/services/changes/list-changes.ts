import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { parseSeqCursor } from "../history/cursor.ts";
import { consentKeys, type HistoryRow, historyItem, historySelect } from "../history/view.ts";

export const ListChangesInput = z
  .strictObject({
    /** Opaque: the `nextCursor` of the previous page (one position per shard of the tenant). */
    cursor: z.string().max(1024).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .default({});
export type ListChangesInput = z.infer<typeof ListChangesInput>;

type ChangeRow = HistoryRow & { profileId: string | null };

/**
 * The change feed: every status change of the tenant, from an opaque cursor. Each of the
 * tenant's shards keeps its own log, whose leaf indices only grow (D1 writes one transaction
 * at a time); the cursor holds one position per shard (the next index to read there, joined
 * by `.`; a tenant on one shard has a plain number). A page reads up to `limit` changes from
 * each shard's position and merges them, each shard's in its log order and the shards by
 * recording time, up to `limit`; each shard's position moves past exactly the changes taken from it. So a
 * poller that passes back `nextCursor` sees every change once, with no gaps and no repeats,
 * while writes go on; across shards the order is by recording time. An empty page returns the
 * same cursor, to poll again later. The change of an erased profile stays in the feed with
 * `profileId: null` (R13).
 */
export async function listChanges({ ctx, input }: ServiceCall<ListChangesInput>) {
  const limit = input.limit ?? 100;
  const positions = parseFeedCursor(input.cursor, ctx.shards.length);
  const [pages, keys] = await Promise.all([
    Promise.all(
      ctx.shards.map(async (shard) => {
        const { results } = await shard.db.$client
          .prepare(
            `${historySelect("p.external_id AS profileId,")}
             LEFT JOIN profile AS p ON p.id = e.profile
             WHERE e.tenant = ?1 AND e.idx >= ?2 AND e.kind = 1
             ORDER BY e.idx LIMIT ?3`,
          )
          .bind(ctx.tenantNum, positions[shard.slot] ?? 0, limit)
          .all<ChangeRow>();
        return results.map((row) => ({ slot: shard.slot, row }));
      }),
    ),
    consentKeys(ctx),
  ]);
  // A k-way merge: each shard's changes stay in their log order; between shards, the head
  // recorded first goes first (then the lower slot).
  const taken: { slot: number; row: ChangeRow }[] = [];
  const heads = pages.map(() => 0);
  while (taken.length < limit) {
    let best = -1;
    for (const [i, page] of pages.entries()) {
      const head = page[heads[i] ?? 0];
      const current = best < 0 ? undefined : pages[best]?.[heads[best] ?? 0];
      if (head && (!current || head.row.recordedAt < current.row.recordedAt)) {
        best = i;
      }
    }
    const chosen = best < 0 ? undefined : pages[best]?.[heads[best] ?? 0];
    if (!chosen) {
      break;
    }
    taken.push(chosen);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  const next = [...positions];
  for (const { slot, row } of taken) {
    next[slot] = Math.max(next[slot] ?? 0, row.idx + 1);
  }
  return {
    items: taken.map(({ row }) => ({ profileId: row.profileId, ...historyItem(row, keys) })),
    nextCursor: next.join("."),
  };
}

/** A feed cursor's positions, one per shard slot; absent: the start of every log. */
function parseFeedCursor(cursor: string | undefined, slots: number): number[] {
  if (cursor === undefined) {
    return Array.from({ length: slots }, () => 0);
  }
  const parts = cursor.split(".");
  if (parts.length !== slots) {
    throw new ServiceError("BAD_REQUEST", "The cursor is not one this API returned.", [
      {
        path: "cursor",
        message:
          "use the nextCursor of the previous page (a cursor from before this tenant's shards changed starts again from the beginning: omit it)",
      },
    ]);
  }
  return parts.map((part) => parseSeqCursor(part, 0));
}
