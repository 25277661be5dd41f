import { runAtomically } from "../../db/batch.ts";
import type { ServiceContext } from "../context.ts";
import { appendHistory, type HistoryWrite } from "../history/append.ts";
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
 * Writes a call's decisions in one batch, all or nothing: the profile rows (and binding
 * entries) of profiles written for the first time, the states, the log entries that record
 * them (R11), then the extensions (R5). Returns the extensions' count of states moved.
 */
export async function writeChanges(
  ctx: ServiceContext,
  { states = [], history = [], extensions = [] }: Changes,
): Promise<{ extended: number }> {
  const results = await runAtomically(ctx.db, [
    ensureProfiles(
      ctx,
      states.map((s) => s.profileId),
    ),
    states.length > 0 ? upsertStates(ctx, states) : null,
    appendHistory(ctx, history),
    extensions.length > 0 ? extendStates(ctx, extensions) : null,
  ]);
  return { extended: extensions.length > 0 ? (results.at(-1)?.meta.changes ?? 0) : 0 };
}
