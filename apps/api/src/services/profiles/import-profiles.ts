import {
  ConsentKey,
  type ConsentState,
  InstantText,
  importState,
  isEventTooFarAhead,
  MAX_IMPORT_ITEMS,
  ProfileId,
  RequestedStatus,
} from "@lapse/consent";
import { z } from "zod";
import { loadConsents, resolveKeys } from "../consents/load.ts";
import type { ServiceCall, ServiceContext } from "../context.ts";
import { type ItemIssue, ServiceError } from "../errors.ts";
import type { HistoryWrite } from "../history/append.ts";
import { erasedProfileIds } from "./erase-profile.ts";
import { recordPendingLapses } from "./lapses.ts";
import { loadStatesOfPairs, type StateWrite } from "./states.ts";
import { writeChanges } from "./write-changes.ts";

export const ImportProfilesInput = z.strictObject({
  items: z
    .array(
      z.strictObject({
        profileId: ProfileId,
        consent: ConsentKey,
        status: RequestedStatus,
        changedAt: InstantText,
        lastActivityAt: InstantText.optional(),
      }),
    )
    .min(1)
    .max(MAX_IMPORT_ITEMS),
});
export type ImportProfilesInput = z.infer<typeof ImportProfilesInput>;
type ImportItem = ImportProfilesInput["items"][number];

/**
 * Back-dated states for a brand migrating in (history reason `import`). The newer fact wins, so
 * re-sending an import changes nothing. A batch with any bad item is refused whole, with every
 * bad item's index and reason, and writes nothing.
 */
export function importProfiles({
  ctx,
  input,
  erasureKey,
}: ServiceCall<ImportProfilesInput> & { erasureKey: Uint8Array }) {
  return importItems(ctx, input.items, erasureKey);
}

async function importItems(
  ctx: ServiceContext,
  items: readonly ImportItem[],
  erasureKey: Uint8Array,
) {
  const consents = await loadConsents(ctx);
  const byKey = resolveKeys(
    consents,
    items.map((item, i) => ({ path: `items.${i}.consent`, key: item.consent })),
  );
  const issues: ItemIssue[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const pair = JSON.stringify([item.profileId, item.consent]);
    if (seen.has(pair)) {
      issues.push({ path: `items.${i}`, message: "this profile and consent appear twice" });
    }
    seen.add(pair);
    if (isEventTooFarAhead(item.changedAt, ctx.now)) {
      issues.push({ path: `items.${i}.changedAt`, message: "is in the future" });
    }
    if (item.lastActivityAt !== undefined && isEventTooFarAhead(item.lastActivityAt, ctx.now)) {
      issues.push({ path: `items.${i}.lastActivityAt`, message: "is in the future" });
    }
  });
  if (issues.length > 0) {
    throw new ServiceError("BAD_REQUEST", "Invalid import; nothing was imported.", issues);
  }
  // R13: an erased customer is not brought back by a migration.
  const erased = await erasedProfileIds(
    ctx,
    erasureKey,
    items.map((item) => item.profileId),
  );
  if (erased.size > 0) {
    throw new ServiceError(
      "PROFILE_ERASED",
      "Some items name profiles this tenant erased (R13); nothing was imported.",
      items.flatMap((item, i) =>
        erased.has(item.profileId)
          ? [{ path: `items.${i}.profileId`, message: "this profile was erased" }]
          : [],
      ),
    );
  }

  const current = await loadStatesOfPairs(
    ctx,
    items.map((item) => ({
      profileId: item.profileId,
      consent: byKey.get(item.consent)?.num ?? -1,
    })),
    consents,
  );
  const writes: StateWrite[] = [];
  const history: HistoryWrite[] = [];
  items.forEach((item, i) => {
    const stored = byKey.get(item.consent);
    if (!stored) {
      return;
    }
    const stateAsStored = current.get(item.profileId)?.get(item.consent);
    // R10: a lapse not recorded yet is recorded first.
    const pending = recordPendingLapses(
      [stored],
      new Map(stateAsStored ? [[item.consent, stateAsStored]] : []),
      item.profileId,
      ctx.now,
    );
    const state: ConsentState | undefined = pending.states.get(item.consent);
    for (const entry of pending.history) {
      history.push({ consent: stored.num, entry });
    }
    const decision = importState(state, item, stored.consent, { actor: ctx.actor, now: ctx.now });
    if (!decision.ok) {
      issues.push({
        path: `items.${i}.status`,
        message: "a refused legal basis cannot be accepted (R3)",
      });
      return;
    }
    if (decision.next !== stateAsStored) {
      writes.push({ profileId: item.profileId, consent: stored.num, state: decision.next });
    }
    if (decision.history) {
      history.push({ consent: stored.num, entry: decision.history });
    }
  });
  if (issues.length > 0) {
    throw new ServiceError(
      "LEGAL_BASIS_REFUSED",
      "Some items would accept a refused legal basis; nothing was imported.",
      issues,
    );
  }
  await writeChanges(ctx, { states: writes, history });
  return { imported: writes.length, unchanged: items.length - writes.length };
}
