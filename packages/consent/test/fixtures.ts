/**
 * Builders for the domain tests. Every builder returns a fresh object, so a test that mutates
 * by mistake cannot leak into another one.
 */
import type {
  ChangeContext,
  Consent,
  ConsentEvent,
  ConsentState,
  Day,
  EventType,
  ExpiryPolicy,
  Instant,
} from "../src/index.ts";

/** Every fast-check property runs at least this many cases. */
export const PROPERTY_RUNS = 1000;

/** Written here rather than imported, so the tests do not trust the code they check. */
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** The epoch day of a `YYYY-MM-DD` text, computed with `Date.UTC` (not with `parseDay`). */
export function day(text: string): Day {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) {
    throw new Error(`test table typo, not a day: ${text}`);
  }
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS;
}

/** An instant `ms` after the start of a day, given as `YYYY-MM-DD` or as an epoch day. */
export function at(when: Day | string, ms = 0): Instant {
  return (typeof when === "string" ? day(when) : when) * DAY_MS + ms;
}

export const ACTOR = "key_test";

export function optIn(overrides: Partial<Consent> = {}): Consent {
  return {
    key: "newsletter",
    kind: "opt_in",
    version: 1,
    title: "Newsletter",
    description: "Our weekly offers",
    entryEvents: [],
    expiry: null,
    ...overrides,
  };
}

/** The seed's "order" legal basis: an order brings the customer (back) into it. */
export function legalBasis(overrides: Partial<Consent> = {}): Consent {
  return {
    key: "order",
    kind: "legal_basis",
    version: 1,
    title: "Order follow-up",
    description: "Legitimate interest after a purchase",
    entryEvents: ["order_placed"],
    expiry: null,
    ...overrides,
  };
}

/** A configured, disabled policy (what `configure` makes). */
export function policy(overrides: Partial<ExpiryPolicy> = {}): ExpiryPolicy {
  return { days: 30, extendOn: [], enabled: false, activatedAt: null, ...overrides };
}

/** A policy activated at the start of `activatedOn`. */
export function activePolicy(
  activatedOn: Day,
  overrides: Partial<ExpiryPolicy> = {},
): ExpiryPolicy {
  return policy({ enabled: true, activatedAt: at(activatedOn), ...overrides });
}

export function state(consent: string, overrides: Partial<ConsentState> = {}): ConsentState {
  return {
    consent,
    status: "unknown",
    statusChangedAt: 0,
    lastActivityDay: null,
    lastActivitySource: null,
    expiredAt: null,
    ...overrides,
  };
}

/** A state accepted at the start of `lastActivityDay` (unless overridden). */
export function acceptedState(
  consent: string,
  lastActivityDay: Day,
  overrides: Partial<ConsentState> = {},
): ConsentState {
  return state(consent, {
    status: "accepted",
    statusChangedAt: at(lastActivityDay),
    lastActivityDay,
    lastActivitySource: "accepted",
    ...overrides,
  });
}

export function change(overrides: Partial<ChangeContext> = {}): ChangeContext {
  const occurredAt = overrides.occurredAt ?? at("2026-03-01", 9 * 3_600_000);
  return {
    profileId: "cust_1",
    reason: "api",
    actor: ACTOR,
    occurredAt,
    now: occurredAt,
    ...overrides,
  };
}

export function event(type: EventType, occurredAt: Instant, profileId = "cust_1"): ConsentEvent {
  return { profileId, type, occurredAt };
}

export function statesOf(...states: ConsentState[]): Map<string, ConsentState> {
  return new Map(states.map((s) => [s.consent, s]));
}
