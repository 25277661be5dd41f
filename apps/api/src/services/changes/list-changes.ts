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

type ChangeRow = HistoryRow & { profile: number; profileId: string | null };

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
  const positions = parseFeedCursor(
    input.cursor,
    ctx.shards.map((s) => s.logFrom),
  );
  const [pages, keys] = await Promise.all([
    Promise.all(
      ctx.shards.map(async (shard) => {
        const { results } = await shard.db.$client
          .prepare(
            `${historySelect("e.profile, p.external_id AS profileId,")}
             LEFT JOIN profile AS p ON p.id = e.profile AND p.tenant = e.tenant
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
  await resolveMovedProfiles(ctx, pages);
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

/**
 * The ids of profiles a reshard moved to another slot, in the changes of their old log: their
 * entries stay there (a log is append-only) while their row went with them, under the same
 * key (docs/scaling.md: resharding). A change whose profile is on no shard was erased (R13).
 */
async function resolveMovedProfiles(
  ctx: ServiceCall<unknown>["ctx"],
  pages: { slot: number; row: ChangeRow }[][],
): Promise<void> {
  if (ctx.shards.length < 2) {
    return;
  }
  await Promise.all(
    pages.map(async (page, i) => {
      const missing = [
        ...new Set(page.filter((c) => c.row.profileId === null).map((c) => c.row.profile)),
      ];
      if (missing.length === 0) {
        return;
      }
      const found = new Map<number, string>();
      await Promise.all(
        ctx.shards
          .filter((shard) => shard.slot !== i)
          .map(async (shard) => {
            const { results } = await shard.db.$client
              .prepare(
                `SELECT id, external_id AS profileId FROM profile
                 WHERE tenant = ?1 AND id IN (SELECT value FROM json_each(?2))`,
              )
              .bind(ctx.tenantNum, JSON.stringify(missing))
              .all<{ id: number; profileId: string }>();
            for (const { id, profileId } of results) {
              found.set(id, profileId);
            }
          }),
      );
      for (const change of page) {
        change.row.profileId ??= found.get(change.row.profile) ?? null;
      }
    }),
  );
}

/**
 * A feed cursor's positions, one per shard slot; absent: the start of every log (a slot split
 * off by a reshard starts at its fork point, `logFrom`: the entries before it are those of the
 * log it was forked from, read there). A cursor from before a reshard (fewer slots, the new
 * count a multiple) keeps its positions and the new slots start at their fork point, so a
 * poller misses and repeats nothing across the reshard.
 */
function parseFeedCursor(cursor: string | undefined, logFrom: readonly number[]): number[] {
  const slots = logFrom.length;
  if (cursor === undefined) {
    return [...logFrom];
  }
  const parts = cursor.split(".");
  if (parts.length < slots && slots % parts.length === 0) {
    return logFrom.map((from, slot) =>
      slot < parts.length ? parseSeqCursor(parts[slot] as string, 0) : from,
    );
  }
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
