import {
  type ConsentState,
  expire,
  type HistoryEntry,
  type Instant,
  stateAt,
} from "@lapse/consent";
import type { StoredConsent } from "../consents/load.ts";

/**
 * R10: before a write decides anything, the lapses the nightly run has not recorded yet are
 * recorded — each state past its lapse day becomes `unknown` at the start of that day, with its
 * `expired` entry — so the write starts from the truth and the trail reads
 * `accepted → unknown (expired) → …`.
 */
export function recordPendingLapses(
  consents: readonly StoredConsent[],
  states: ReadonlyMap<string, ConsentState>,
  profileId: string,
  now: Instant,
): { states: Map<string, ConsentState>; history: HistoryEntry[]; lapsed: string[] } {
  const next = new Map(states);
  const history: HistoryEntry[] = [];
  const lapsed: string[] = [];
  for (const stored of consents) {
    const state = states.get(stored.consent.key);
    if (state && stateAt(state, stored.consent.expiry, now).lapsed) {
      const recorded = expire(state, stored.consent, { profileId, runAt: now, now });
      next.set(stored.consent.key, recorded.next);
      history.push(recorded.history);
      lapsed.push(stored.consent.key);
    }
  }
  return { states: next, history, lapsed };
}
