import {
  activate as activatePolicy,
  configure as configurePolicy,
  deactivate as deactivatePolicy,
  type EventType,
  type PolicyResult,
  reconfigure as reconfigurePolicy,
} from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { consent } from "../../db/schema";
import { requireConsent, type StoredConsent } from "../consents/load";
import { consentView } from "../consents/view";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";

export interface PolicyInput {
  consent: string;
  days?: number | undefined;
  extendOn?: EventType[] | undefined;
}

/**
 * Applies one policy transition decided by @lapse/consent. Whatever the number of profiles,
 * this is one UPDATE of the consent row (R7: activation is O(1)).
 */
async function transition(
  ctx: ServiceContext,
  key: string,
  decide: (stored: StoredConsent) => PolicyResult,
) {
  const stored = await requireConsent(ctx, key);
  const result = decide(stored);
  if (!result.ok) throw new ServiceError(result.error, result.message);
  if (result.changed) {
    await ctx.db
      .update(consent)
      .set({
        expiryDays: result.policy.days,
        expiryExtendOn: JSON.stringify(result.policy.extendOn),
        expiryEnabled: result.policy.enabled,
        expiryActivatedAt: result.policy.activatedAt,
        updatedAt: ctx.now,
      })
      .where(and(eq(consent.tenantId, ctx.tenantId), eq(consent.id, stored.id)));
  }
  return {
    consent: consentView({ ...stored, consent: { ...stored.consent, expiry: result.policy } }),
    changed: result.changed,
    clocksReset: result.clocksReset,
  };
}

/** R8: days and extending events; extending events only while expiry is off. */
export function configure({ ctx, input }: { ctx: ServiceContext; input: PolicyInput }) {
  return transition(ctx, input.consent, (s) =>
    configurePolicy(s.consent.expiry, { days: input.days, extendOn: input.extendOn }),
  );
}

/** R7: expiry on; every accepted state's clock starts today at the latest. */
export function activate({ ctx, input }: { ctx: ServiceContext; input: { consent: string } }) {
  return transition(ctx, input.consent, (s) => activatePolicy(s.consent.expiry, ctx.now));
}

/** R9: expiry off; nothing of this consent lapses until it is on again. */
export function deactivate({ ctx, input }: { ctx: ServiceContext; input: { consent: string } }) {
  return transition(ctx, input.consent, (s) => deactivatePolicy(s.consent.expiry));
}

/** R8: new criteria and re-activation in one step; every clock restarts today. */
export function reconfigure({ ctx, input }: { ctx: ServiceContext; input: PolicyInput }) {
  return transition(ctx, input.consent, (s) =>
    reconfigurePolicy(s.consent.expiry, { days: input.days, extendOn: input.extendOn }, ctx.now),
  );
}
