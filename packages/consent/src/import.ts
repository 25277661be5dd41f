import type { Consent, ConsentState, HistoryEntry, RequestedStatus } from "./schemas.ts";
import { absentState, historyEntry } from "./status.ts";
import { dayOf, type Instant, maxDay } from "./time.ts";

/** A back-dated state from a brand migrating in. */
export interface ImportItem {
  profileId: string;
  consent: Consent["key"];
  status: RequestedStatus;
  /** When the customer gave (or refused) the consent in the old system. */
  changedAt: Instant;
  /** The latest extending activity known to the old system; defaults to `changedAt`. */
  lastActivityAt?: Instant | undefined;
}

export type ImportDecision =
  | { ok: true; next: ConsentState; history: HistoryEntry | null }
  | { ok: false; error: "LEGAL_BASIS_REFUSED" };

/**
 * Decides an imported state. The newer fact wins: an item not newer than the state Lapse holds
 * changes nothing, which makes a re-sent import a no-op. A refused legal basis is never
 * accepted (R3). An item with the status Lapse already holds is not a status change: the
 * acceptance on record stands and its clock only moves forward (R5). An import is history, not a live acceptance: it does not extend the
 * profile's other consents (R6 is for live acceptances).
 */
export function importState(
  state: ConsentState | undefined,
  item: ImportItem,
  consent: Consent,
  context: { actor: string; now: Instant },
): ImportDecision {
  const current = state ?? absentState(consent.key);
  // Newer wins: an item not newer than what Lapse holds changes nothing (a re-send is a no-op).
  if (state && state.statusChangedAt >= item.changedAt) {
    return { ok: true, next: state, history: null };
  }
  if (
    consent.kind === "legal_basis" &&
    current.status === "refused" &&
    item.status === "accepted"
  ) {
    return { ok: false, error: "LEGAL_BASIS_REFUSED" };
  }
  const itemDay = maxDay(dayOf(item.changedAt), dayOf(item.lastActivityAt ?? item.changedAt));
  if (current.status === item.status) {
    // Not a status change: the acceptance Lapse holds stands; its clock only moves forward (R5).
    const clock = item.status === "accepted" ? maxDay(current.lastActivityDay, itemDay) : null;
    if (item.status !== "accepted" || clock === current.lastActivityDay) {
      return { ok: true, next: current, history: null };
    }
    return {
      ok: true,
      next: { ...current, lastActivityDay: clock, lastActivitySource: "accepted" },
      history: null,
    };
  }
  const next: ConsentState =
    item.status === "accepted"
      ? {
          consent: consent.key,
          status: "accepted",
          statusChangedAt: item.changedAt,
          lastActivityDay: itemDay,
          lastActivitySource: "accepted",
          expiredAt: null,
        }
      : { ...current, status: "refused", statusChangedAt: item.changedAt, expiredAt: null };
  const history = historyEntry(consent, current.status, next.status, {
    profileId: item.profileId,
    reason: "import",
    actor: context.actor,
    occurredAt: item.changedAt,
    now: context.now,
  });
  return { ok: true, next, history };
}
