import type {
  Consent,
  ConsentState,
  ConsentStatus,
  HistoryEntry,
  HistoryReason,
  ProfileId,
  StatusRequest,
} from "./schemas.ts";
import { dayOf, type Instant, maxDay } from "./time.ts";

/** Who makes a change and when: `customer` (profile token), `api` (secret key), `import`, …. */
export interface ChangeContext {
  profileId: ProfileId;
  reason: HistoryReason;
  actor: string;
  /** When the change happened; for live requests this is `now`. */
  occurredAt: Instant;
  /** When Lapse recorded it. */
  now: Instant;
}

export type DecisionError = "LEGAL_BASIS_REFUSED";

/**
 * The outcome of a status request. `history` is null when the status does not change (a
 * re-acceptance still renews the state's own clock, but is not a status change, R11).
 * `acceptedNow` is true when the state became `accepted`, the trigger of R6.
 */
export type Decision =
  | { ok: true; next: ConsentState; history: HistoryEntry | null; acceptedNow: boolean }
  | { ok: false; error: DecisionError };

/** The status of a possibly absent state (R1: no state row = `unknown`). */
export function statusOf(state: ConsentState | undefined): ConsentStatus {
  return state?.status ?? "unknown";
}

/** A state that was never recorded. */
export function absentState(consent: Consent["key"]): ConsentState {
  return {
    consent,
    status: "unknown",
    statusChangedAt: 0,
    lastActivityDay: null,
    lastActivitySource: null,
    expiredAt: null,
  };
}

/**
 * Decides a status request (R2, R3, R5).
 * - opt_in: any status may move to `accepted` or `refused` (R2).
 * - legal_basis: `refused` never becomes `accepted` again (R3: `LEGAL_BASIS_REFUSED`, nothing
 *   changes); from `unknown` it may be entered again.
 * - becoming `accepted` sets last activity to that day (R5); asking again for `accepted` renews
 *   it (the customer just confirmed) without a history entry.
 */
export function decide(
  state: ConsentState | undefined,
  request: StatusRequest,
  consent: Consent,
  context: ChangeContext,
): Decision {
  const current = state ?? absentState(consent.key);
  const from = current.status;
  const to = request.status;
  if (consent.kind === "legal_basis" && from === "refused" && to === "accepted") {
    return { ok: false, error: "LEGAL_BASIS_REFUSED" };
  }
  const day = dayOf(context.occurredAt);
  if (from === to) {
    if (to !== "accepted") {
      return { ok: true, next: current, history: null, acceptedNow: false };
    }
    const renewed = maxDay(current.lastActivityDay, day);
    const next: ConsentState =
      renewed === current.lastActivityDay
        ? current
        : { ...current, lastActivityDay: renewed, lastActivitySource: "accepted" };
    return { ok: true, next, history: null, acceptedNow: false };
  }
  const next: ConsentState =
    to === "accepted"
      ? {
          consent: consent.key,
          status: "accepted",
          statusChangedAt: context.occurredAt,
          lastActivityDay: day,
          lastActivitySource: "accepted",
          expiredAt: null,
        }
      : {
          ...current,
          consent: consent.key,
          status: to,
          statusChangedAt: context.occurredAt,
          expiredAt: null,
        };
  return {
    ok: true,
    next,
    history: historyEntry(consent, from, to, context),
    acceptedNow: to === "accepted",
  };
}

/** One proof line for a status change (R11). */
export function historyEntry(
  consent: Consent,
  from: ConsentStatus,
  to: ConsentStatus,
  context: ChangeContext,
): HistoryEntry {
  return {
    profileId: context.profileId,
    consent: consent.key,
    consentVersion: consent.version,
    from,
    to,
    reason: context.reason,
    actor: context.actor,
    occurredAt: context.occurredAt,
    recordedAt: context.now,
  };
}
