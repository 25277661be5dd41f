import type { EventType, ExpiryPolicy } from "./schemas.ts";
import type { Instant } from "./time.ts";
import { EVENT_TYPES } from "./words.ts";

export type PolicyError = "EXPIRY_ACTIVE" | "EXPIRY_NOT_CONFIGURED";

export type PolicyResult =
  | {
      ok: true;
      policy: ExpiryPolicy;
      /** True when this transition restarted every accepted state's clock (R7). */
      clocksReset: boolean;
      /** False when the call left the policy as it was (e.g. activating an active policy). */
      changed: boolean;
    }
  | { ok: false; error: PolicyError; message: string };

export interface PolicyChange {
  days?: number;
  extendOn?: readonly EventType[];
}

/** Event types in the seed's order, without duplicates: the canonical form of a set. */
export function canonicalEventTypes(types: readonly EventType[]): EventType[] {
  return EVENT_TYPES.filter((t) => types.includes(t));
}

function sameTypes(a: readonly EventType[], b: readonly EventType[]): boolean {
  const ca = canonicalEventTypes(a);
  const cb = canonicalEventTypes(b);
  return ca.length === cb.length && ca.every((t, i) => t === cb[i]);
}

/**
 * Sets the days and/or extending events (R8). A new policy starts disabled. `days` may change
 * while enabled (it applies from the next run); `extendOn` may not: the seed silently ignores
 * such a change, we refuse it with `EXPIRY_ACTIVE` and say what to do instead.
 */
export function configure(policy: ExpiryPolicy | null, change: PolicyChange): PolicyResult {
  if (policy === null) {
    if (change.days === undefined) {
      return {
        ok: false,
        error: "EXPIRY_NOT_CONFIGURED",
        message: "A first expiry configuration needs `days` (1–3650).",
      };
    }
    return {
      ok: true,
      policy: {
        days: change.days,
        extendOn: canonicalEventTypes(change.extendOn ?? []),
        enabled: false,
        activatedAt: null,
      },
      clocksReset: false,
      changed: true,
    };
  }
  if (policy.enabled && change.extendOn && !sameTypes(change.extendOn, policy.extendOn)) {
    return {
      ok: false,
      error: "EXPIRY_ACTIVE",
      message:
        "The extending events cannot change while expiry is active. Deactivate expiry first, or use reconfigure, which applies them and restarts every customer's clock today.",
    };
  }
  const next: ExpiryPolicy = {
    ...policy,
    days: change.days ?? policy.days,
    extendOn: change.extendOn ? canonicalEventTypes(change.extendOn) : policy.extendOn,
  };
  const changed = next.days !== policy.days || !sameTypes(next.extendOn, policy.extendOn);
  return { ok: true, policy: next, clocksReset: false, changed };
}

/**
 * Turns expiry on (R7): `enabled = true`, `activatedAt = now`. Every accepted state's clock
 * starts at the activation day — one write, however many profiles. Activating an active policy
 * changes nothing (use `reconfigure` to restart the clocks on purpose).
 */
export function activate(policy: ExpiryPolicy | null, now: Instant): PolicyResult {
  if (policy === null) {
    return {
      ok: false,
      error: "EXPIRY_NOT_CONFIGURED",
      message: "Configure expiry (days and extending events) before activating it.",
    };
  }
  if (policy.enabled) {
    return { ok: true, policy, clocksReset: false, changed: false };
  }
  return {
    ok: true,
    policy: { ...policy, enabled: true, activatedAt: now },
    clocksReset: true,
    changed: true,
  };
}

/**
 * Turns expiry off (R9): no state of this consent lapses while it is off, however old its
 * last activity; last activity keeps being recorded.
 */
export function deactivate(policy: ExpiryPolicy | null): PolicyResult {
  if (policy === null) {
    return {
      ok: false,
      error: "EXPIRY_NOT_CONFIGURED",
      message: "This consent has no expiry configured.",
    };
  }
  if (!policy.enabled) {
    return { ok: true, policy, clocksReset: false, changed: false };
  }
  return { ok: true, policy: { ...policy, enabled: false }, clocksReset: false, changed: true };
}

/**
 * Deactivates, applies new criteria and re-activates in one step (R8). The answer says that
 * every clock was reset to today (R7), which is the price of changing criteria.
 */
export function reconfigure(
  policy: ExpiryPolicy | null,
  change: PolicyChange,
  now: Instant,
): PolicyResult {
  const disabled = policy === null ? null : { ...policy, enabled: false };
  const configured = configure(disabled, change);
  if (!configured.ok) {
    return configured;
  }
  return {
    ok: true,
    policy: { ...configured.policy, enabled: true, activatedAt: now },
    clocksReset: true,
    changed: true,
  };
}
