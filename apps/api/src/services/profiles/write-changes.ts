import { runAtomically } from "../../db/batch.ts";
import type { ServiceContext } from "../context.ts";
import { groupBy } from "../group-by.ts";
import { appendHistory, type HistoryWrite } from "../history/append.ts";
import { onShard, requireWritable, shardOfProfile } from "../shards/route.ts";
import {
  type ExtensionWrite,
  ensureProfiles,
  extendStates,
  type StateWrite,
  upsertStates,
} from "./states.ts";

/** What one call decided to write. */
export interface Changes {
  states?: readonly StateWrite[];
  history?: readonly HistoryWrite[];
  extensions?: readonly ExtensionWrite[];
}

/**
 * Writes a call's decisions, one batch per data shard its profiles live on (a profile call
 * touches one shard; `events.track` and imports may touch several). Each batch is all or
 * nothing: the profile rows (and binding entries) of profiles written for the first time, the
 * states, the log entries that record them (R11), then the extensions (R5). Every input was
 * validated before this; the batches run at once, and when one fails the call fails after
 * the others have finished, so a retry of the same call (idempotent: states are upserts,
 * extensions only move clocks forward, decisions re-made from what is stored) completes it
 * (README: all or nothing across shards). Returns the extensions' count of states moved.
 */
export async function writeChanges(
  ctx: ServiceContext,
  { states = [], history = [], extensions = [] }: Changes,
): Promise<{ extended: number }> {
  requireWritable(ctx);
  const slotOf = (profileId: string) => shardOfProfile(ctx, profileId).slot;
  const statesBy = groupBy(states, (s) => slotOf(s.profileId));
  const historyBy = groupBy(history, (h) => slotOf(h.entry.profileId));
  const extensionsBy = groupBy(extensions, (e) => slotOf(e.profileId));
  const touched = ctx.shards.filter(
    (s) => statesBy.has(s.slot) || historyBy.has(s.slot) || extensionsBy.has(s.slot),
  );
  const outcomes = await Promise.allSettled(
    touched.map(async (shard) => {
      const changes = {
        states: statesBy.get(shard.slot) ?? [],
        history: historyBy.get(shard.slot) ?? [],
        extensions: extensionsBy.get(shard.slot) ?? [],
      };
      const data = onShard(ctx, shard);
      const results = await runAtomically(data.data, [
        ensureProfiles(
          data,
          changes.states.map((s) => s.profileId),
        ),
        changes.states.length > 0 ? upsertStates(data, changes.states) : null,
        appendHistory(data, changes.history),
        changes.extensions.length > 0 ? extendStates(data, changes.extensions) : null,
      ]);
      return changes.extensions.length > 0 ? (results.at(-1)?.meta.changes ?? 0) : 0;
    }),
  );
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed) {
    throw failed.reason;
  }
  return {
    extended: outcomes.reduce((sum, o) => sum + (o.status === "fulfilled" ? o.value : 0), 0),
  };
}
