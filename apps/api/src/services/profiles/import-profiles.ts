import {
  ConsentKey,
  type ConsentState,
  type HistoryEntry,
  InstantText,
  importState,
  isEventTooFarAhead,
  MAX_IMPORT_ITEMS,
  ProfileId,
  RequestedStatus,
} from "@lapse/consent";
import { z } from "zod";
import { runAtomically } from "../../db/batch.ts";
import { loadConsents, resolveKeys } from "../consents/load.ts";
import type { ServiceCall, ServiceContext } from "../context.ts";
import { type ItemIssue, ServiceError } from "../errors.ts";
import { appendHistory, withChainRetry } from "../history/append.ts";
import { loadStatesOfPairs, type StateWrite, upsertStates } from "./states.ts";

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
export function importProfiles({ ctx, input }: ServiceCall<ImportProfilesInput>) {
  return withChainRetry(() => importItems(ctx, input.items));
}

async function importItems(ctx: ServiceContext, items: readonly ImportItem[]) {
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

  const current = await loadStatesOfPairs(
    ctx,
    items.map((item) => ({
      profileId: item.profileId,
      consentId: byKey.get(item.consent)?.id ?? "",
    })),
    consents,
  );
  const writes: StateWrite[] = [];
  const history: { consentId: string; entry: HistoryEntry }[] = [];
  items.forEach((item, i) => {
    const stored = byKey.get(item.consent);
    if (!stored) {
      return;
    }
    const state: ConsentState | undefined = current.get(item.profileId)?.get(item.consent);
    const decision = importState(state, item, stored.consent, { actor: ctx.actor, now: ctx.now });
    if (!decision.ok) {
      issues.push({
        path: `items.${i}.status`,
        message: "a refused legal basis cannot be accepted (R3)",
      });
      return;
    }
    if (decision.next !== state) {
      writes.push({ profileId: item.profileId, consentId: stored.id, state: decision.next });
    }
    if (decision.history) {
      history.push({ consentId: stored.id, entry: decision.history });
    }
  });
  if (issues.length > 0) {
    throw new ServiceError(
      "LEGAL_BASIS_REFUSED",
      "Some items would accept a refused legal basis; nothing was imported.",
      issues,
    );
  }
  await runAtomically(ctx.db, [
    writes.length > 0 ? upsertStates(ctx, writes) : null,
    await appendHistory(ctx, history),
  ]);
  return { imported: writes.length, unchanged: items.length - writes.length };
}
