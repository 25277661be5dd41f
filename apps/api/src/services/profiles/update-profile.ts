import {
  acceptanceEvent,
  applyEvent,
  ConsentKey,
  type ConsentState,
  decide,
  type HistoryEntry,
  MAX_CHANGES_PER_UPDATE,
  ProfileId,
  RequestedStatus,
  withOutcome,
} from "@lapse/consent";
import { z } from "zod";
import { resolveKeys } from "../consents/load.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { recordPendingLapses } from "./lapses.ts";
import { type ExtensionWrite, loadProfile, type StateWrite } from "./states.ts";
import { profileView } from "./view.ts";
import { writeChanges } from "./write-changes.ts";

export const UpdateProfileInput = z.strictObject({
  profileId: ProfileId,
  changes: z
    .array(z.strictObject({ consent: ConsentKey, status: RequestedStatus }))
    .min(1)
    .max(MAX_CHANGES_PER_UPDATE),
  context: z
    .strictObject({
      /** Where the customer made the change (e.g. `preference-centre`), in the proof trail. */
      channel: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' or '-'")
        .optional(),
    })
    .optional(),
});
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

/** `customer` when the call carries the customer's profile token, `api` for a back end. */
export type ChangeVia = "customer" | "api";

/**
 * Changes a profile's statuses (R2, R3), extends its other consents (R6) and appends the proof
 * (R11) — all or nothing, in one batch. A refused legal basis fails the whole call with
 * `LEGAL_BASIS_REFUSED` and writes nothing.
 */
export async function updateProfile({
  ctx,
  input,
  via,
}: {
  ctx: ServiceContext;
  input: UpdateProfileInput;
  via: ChangeVia;
}) {
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
    reason: via,
    actor: input.context?.channel ? `${ctx.actor}/${input.context.channel}` : ctx.actor,
    occurredAt: ctx.now,
    now: ctx.now,
  };
  // R10: lapses not recorded yet are recorded first, in the same batch.
  const pending = recordPendingLapses(live, states, input.profileId, ctx.now);
  let next: Map<string, ConsentState> = pending.states;
  const history: HistoryEntry[] = [...pending.history];
  const changed = new Set<string>(pending.lapsed);
  let acceptedAny = false;
  input.changes.forEach((change, i) => {
    const stored = byKey.get(change.consent);
    if (!stored) {
      return;
    }
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
    if (decision.history) {
      history.push(decision.history);
    }
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
        extensions.push({ ...e, profileId: input.profileId, consent: stored.num });
      }
    }
  }

  const writes: StateWrite[] = [...changed].flatMap((key) => {
    const stored = byKey.get(key);
    const state = next.get(key);
    return stored && state ? [{ profileId: input.profileId, consent: stored.num, state }] : [];
  });
  await writeChanges(ctx, {
    states: writes,
    history: history.flatMap((entry) => {
      const stored = byKey.get(entry.consent);
      return stored ? [{ consent: stored.num, entry }] : [];
    }),
    extensions,
  });
  return profileView(input.profileId, consents, next, ctx.now);
}
