import {
  type ConsentState,
  type HistoryEntry,
  importState,
  isEventTooFarAhead,
} from "@lapse/consent";
import { loadConsents, resolveKeys } from "../consents/load";
import type { ServiceContext } from "../context";
import { type ItemIssue, ServiceError } from "../errors";
import { appendHistory, withChainRetry } from "../history/append";
import { loadStatesOfPairs, runAtomically, type StateWrite, upsertStates } from "./states";

export interface ImportItemInput {
  profileId: string;
  consent: string;
  status: "accepted" | "refused";
  changedAt: number;
  lastActivityAt?: number | undefined;
}

/**
 * Back-dated states for a brand migrating in (history reason `import`). The newer fact wins, so
 * re-sending an import changes nothing. A batch with any bad item is refused whole, with every
 * bad item's index and reason, and writes nothing.
 */
export function importProfiles({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { items: ImportItemInput[] };
}) {
  return withChainRetry(() => importItems(ctx, input.items));
}

async function importItems(ctx: ServiceContext, items: ImportItemInput[]) {
  const input = { items };
  const consents = await loadConsents(ctx);
  const byKey = resolveKeys(
    consents,
    input.items.map((item, i) => ({ path: `items.${i}.consent`, key: item.consent })),
  );
  const issues: ItemIssue[] = [];
  const seen = new Set<string>();
  input.items.forEach((item, i) => {
    const pair = JSON.stringify([item.profileId, item.consent]);
    if (seen.has(pair))
      issues.push({ path: `items.${i}`, message: "this profile and consent appear twice" });
    seen.add(pair);
    if (isEventTooFarAhead(item.changedAt, ctx.now)) {
      issues.push({ path: `items.${i}.changedAt`, message: "is in the future" });
    }
    if (item.lastActivityAt !== undefined && isEventTooFarAhead(item.lastActivityAt, ctx.now)) {
      issues.push({ path: `items.${i}.lastActivityAt`, message: "is in the future" });
    }
  });
  if (issues.length > 0)
    throw new ServiceError("BAD_REQUEST", "Invalid import; nothing was imported.", issues);

  const current = await loadStatesOfPairs(
    ctx,
    input.items.map((item) => ({
      profileId: item.profileId,
      consentId: byKey.get(item.consent)?.id ?? "",
    })),
    consents,
  );
  const writes: StateWrite[] = [];
  const history: { consentId: string; entry: HistoryEntry }[] = [];
  input.items.forEach((item, i) => {
    const stored = byKey.get(item.consent);
    if (!stored) return;
    const state: ConsentState | undefined = current.get(item.profileId)?.get(item.consent);
    const decision = importState(state, item, stored.consent, { actor: ctx.actor, now: ctx.now });
    if (!decision.ok) {
      issues.push({
        path: `items.${i}.status`,
        message: "a refused legal basis cannot be accepted (R3)",
      });
      return;
    }
    if (decision.next !== state)
      writes.push({ profileId: item.profileId, consentId: stored.id, state: decision.next });
    if (decision.history) history.push({ consentId: stored.id, entry: decision.history });
  });
  if (issues.length > 0) {
    throw new ServiceError(
      "LEGAL_BASIS_REFUSED",
      "Some items would accept a refused legal basis; nothing was imported.",
      issues,
    );
  }
  await runAtomically(ctx, [
    writes.length > 0 ? upsertStates(ctx, writes) : null,
    await appendHistory(ctx, history),
  ]);
  return { imported: writes.length, unchanged: input.items.length - writes.length };
}
