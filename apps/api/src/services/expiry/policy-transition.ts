import type { PolicyResult } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { consent } from "../../db/schema.ts";
import { requireConsent, type StoredConsent } from "../consents/load.ts";
import { consentView } from "../consents/view.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";

/**
 * Applies one policy transition decided by @lapse/consent (configure, activate, deactivate,
 * reconfigure). Whatever the number of profiles, this is one UPDATE of the consent row (R7:
 * activation is O(1)).
 */
export async function applyPolicyTransition(
  ctx: ServiceContext,
  key: string,
  decide: (stored: StoredConsent) => PolicyResult,
) {
  const stored = await requireConsent(ctx, key);
  const result = decide(stored);
  if (!result.ok) {
    throw new ServiceError(result.error, result.message);
  }
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
