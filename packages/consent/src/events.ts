import type { Consent, ConsentEvent, ConsentState, EventType, HistoryEntry } from "./schemas.ts";
import { absentState, historyEntry } from "./status.ts";
import { type Day, dayOf, type Instant, MAX_EVENT_CLOCK_SKEW_MS } from "./time.ts";

/**
 * The event types that move a consent's clock (R5): its policy's `extendOn`, and for a legal
 * basis its `entryEvents` too — the event that brings a customer into a basis keeps them in it,
 * which also makes the outcome independent of the order in which events arrive.
 */
export function effectiveExtendOn(consent: Consent): ReadonlySet<EventType> {
  const types = new Set<EventType>(consent.expiry?.extendOn ?? []);
  if (consent.kind === "legal_basis") {
    for (const t of consent.entryEvents) {
      types.add(t);
    }
  }
  return types;
}

/** R5: an event dated more than five minutes after `now` is rejected. */
export function isEventTooFarAhead(occurredAt: Instant, now: Instant): boolean {
  return occurredAt > now + MAX_EVENT_CLOCK_SKEW_MS;
}

/** A state whose clock moves to a later day. Nothing else about it changes. */
export interface Extension {
  consent: Consent["key"];
  lastActivityDay: Day;
  source: EventType;
}

/** An `unknown` (or absent) legal-basis state that the event made `accepted` (R4). */
export interface Entry {
  next: ConsentState;
  history: HistoryEntry;
}

export interface EventOutcome {
  extensions: Extension[];
  entries: Entry[];
}

/**
 * The changes one event makes to one profile's states (R4, R5). Only changes that matter are
 * returned: an extension only when the last-activity day increases, so repeating an event
 * writes nothing. An event for a profile with no accepted state and no entry is not an error;
 * it just changes nothing.
 *
 * An entry needs an event later than the state's last status change, so a late-arriving order
 * from before a lapse does not undo it. A `refused` state is never entered (R3, R4).
 */
export function applyEvent(
  states: ReadonlyMap<string, ConsentState>,
  consents: readonly Consent[],
  event: ConsentEvent,
  context: { actor: string; now: Instant },
): EventOutcome {
  const day = dayOf(event.occurredAt);
  const outcome: EventOutcome = { extensions: [], entries: [] };
  for (const consent of consents) {
    const state = states.get(consent.key);
    if (state?.status === "accepted") {
      if (
        effectiveExtendOn(consent).has(event.type) &&
        (state.lastActivityDay === null || day > state.lastActivityDay)
      ) {
        outcome.extensions.push({ consent: consent.key, lastActivityDay: day, source: event.type });
      }
      continue;
    }
    const current = state ?? absentState(consent.key);
    if (
      consent.kind === "legal_basis" &&
      current.status === "unknown" &&
      consent.entryEvents.includes(event.type) &&
      event.occurredAt > current.statusChangedAt
    ) {
      outcome.entries.push({
        next: {
          consent: consent.key,
          status: "accepted",
          statusChangedAt: event.occurredAt,
          lastActivityDay: day,
          lastActivitySource: event.type,
          expiredAt: null,
        },
        history: historyEntry(consent, "unknown", "accepted", {
          profileId: event.profileId,
          reason: "entry_event",
          actor: context.actor,
          occurredAt: event.occurredAt,
          now: context.now,
        }),
      });
    }
  }
  return outcome;
}

/** The states after an outcome; states it does not name are returned as they were. */
export function withOutcome(
  states: ReadonlyMap<string, ConsentState>,
  outcome: EventOutcome,
): Map<string, ConsentState> {
  const next = new Map(states);
  for (const { consent, lastActivityDay, source } of outcome.extensions) {
    const state = next.get(consent);
    if (state) {
      next.set(consent, { ...state, lastActivityDay, lastActivitySource: source });
    }
  }
  for (const entry of outcome.entries) {
    next.set(entry.next.consent, entry.next);
  }
  return next;
}

/**
 * Applies events one after the other and returns the final states with the history they
 * wrote. By R5 the resulting statuses and last-activity days do not depend on the order of
 * the events, nor on repeats.
 */
export function applyEvents(
  states: ReadonlyMap<string, ConsentState>,
  consents: readonly Consent[],
  events: readonly ConsentEvent[],
  context: { actor: string; now: Instant },
): { states: Map<string, ConsentState>; history: HistoryEntry[] } {
  let current = new Map(states);
  const history: HistoryEntry[] = [];
  for (const event of events) {
    const outcome = applyEvent(current, consents, event, context);
    current = withOutcome(current, outcome);
    for (const entry of outcome.entries) {
      history.push(entry.history);
    }
  }
  return { states: current, history };
}

/** R6: accepting a consent is a `consent_accepted` event for the profile's other consents. */
export function acceptanceEvent(profileId: string, acceptedAt: Instant): ConsentEvent {
  return { profileId, type: "consent_accepted", occurredAt: acceptedAt };
}
