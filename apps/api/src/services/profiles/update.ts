import {
  acceptanceEvent,
  applyEvent,
  type ConsentState,
  decide,
  type HistoryEntry,
  type RequestedStatus,
  withOutcome,
} from "@lapse/consent";
import { resolveKeys } from "../consents/load";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { appendHistory, withChainRetry } from "../history/append";
import {
  type ExtensionWrite,
  extendStates,
  loadProfile,
  runAtomically,
  type StateWrite,
  upsertStates,
} from "./states";
import { profileView } from "./view";

export interface UpdateProfileInput {
  profileId: string;
  changes: { consent: string; status: RequestedStatus }[];
  /** `customer` when the call carries the customer's profile token, `api` for a back end. */
  via: "customer" | "api";
  /** Where the change was made (e.g. `preference-centre`); recorded in the proof trail. */
  channel?: string | undefined;
}

/**
 * Changes a profile's statuses (R2, R3), extends its other consents (R6) and appends the proof
 * (R11) — all or nothing, in one batch. A refused legal basis fails the whole call with
 * `LEGAL_BASIS_REFUSED` and writes nothing.
 */
export function update({ ctx, input }: { ctx: ServiceContext; input: UpdateProfileInput }) {
  return withChainRetry(() => decideAndWrite(ctx, input));
}

async function decideAndWrite(ctx: ServiceContext, input: UpdateProfileInput) {
  const { consents, states } = await loadProfile(ctx, input.profileId);
  const live = consents.filter((c) => c.archivedAt === null);
  const byKey = resolveKeys(
    live,
    input.changes.map((c, i) => ({ path: `changes.${i}.consent`, key: c.consent })),
  );
  const seen = new Set<string>();
  input.changes.forEach((change, i) => {
    if (seen.has(change.consent)) {
      throw new ServiceError("BAD_REQUEST", "A consent appears twice in one update.", [
        { path: `changes.${i}.consent`, message: `'${change.consent}' is already changed above` },
      ]);
    }
    seen.add(change.consent);
  });

  const context = {
    profileId: input.profileId,
    reason: input.via,
    actor: input.channel ? `${ctx.actor}/${input.channel}` : ctx.actor,
    occurredAt: ctx.now,
    now: ctx.now,
  };
  let next: Map<string, ConsentState> = new Map(states);
  const history: HistoryEntry[] = [];
  const changed = new Set<string>();
  let acceptedAny = false;
  input.changes.forEach((change, i) => {
    const stored = byKey.get(change.consent);
    if (!stored) return;
    const decision = decide(next.get(change.consent), change, stored.consent, context);
    if (!decision.ok) {
      throw new ServiceError(
        decision.error,
        `'${change.consent}' is a legal basis the customer refused; it cannot be accepted again. Nothing was changed.`,
        [{ path: `changes.${i}.status`, message: "a refused legal basis cannot be accepted" }],
      );
    }
    if (decision.next !== next.get(change.consent)) {
      next.set(change.consent, decision.next);
      changed.add(change.consent);
    }
    if (decision.history) history.push(decision.history);
    acceptedAny ||= decision.acceptedNow;
  });

  // R6: an acceptance is a `consent_accepted` event for the profile's other consents.
  const extensions: ExtensionWrite[] = [];
  if (acceptedAny) {
    const outcome = applyEvent(
      next,
      live.map((c) => c.consent),
      acceptanceEvent(input.profileId, ctx.now),
      context,
    );
    next = withOutcome(next, outcome);
    for (const entry of outcome.entries) {
      changed.add(entry.next.consent);
      history.push(entry.history);
    }
    for (const e of outcome.extensions) {
      const stored = byKey.get(e.consent);
      // A state changed by this call is written whole, its new clock included.
      if (stored && !changed.has(e.consent)) {
        extensions.push({ profileId: input.profileId, consentId: stored.id, ...e });
      }
    }
  }

  const writes: StateWrite[] = [...changed].flatMap((key) => {
    const stored = byKey.get(key);
    const state = next.get(key);
    return stored && state ? [{ profileId: input.profileId, consentId: stored.id, state }] : [];
  });
  await runAtomically(ctx, [
    writes.length > 0 ? upsertStates(ctx, writes) : null,
    extensions.length > 0 ? extendStates(ctx, extensions) : null,
    await appendHistory(
      ctx,
      history.map((entry) => ({ consentId: byKey.get(entry.consent)?.id ?? "", entry })),
    ),
  ]);
  return profileView(input.profileId, consents, next);
}
