import {
  absentState,
  type ConsentState,
  expiresOn,
  formatDay,
  type Instant,
  stateAt,
} from "@lapse/consent";
import type { StoredConsent } from "../consents/load.ts";
import { isoOrNull } from "../iso.ts";

/**
 * One consent of a profile as the API shows it at `now`; `expiresOn` is null when it does not
 * lapse. R10 read-time truth: a state past its lapse day reads `unknown`, expired at the start
 * of that day, with `lapsed: true` until the nightly run (or a write) records the lapse.
 */
export function profileConsentView(
  stored: StoredConsent,
  state: ConsentState | undefined,
  now: Instant,
) {
  const read = state ? stateAt(state, stored.consent.expiry, now) : undefined;
  const current = read?.state ?? absentState(stored.consent.key);
  const lapse = expiresOn(current, stored.consent.expiry);
  return {
    consent: stored.consent.key,
    kind: stored.consent.kind,
    title: stored.consent.title,
    version: stored.consent.version,
    status: current.status,
    statusChangedAt: state ? isoOrNull(current.statusChangedAt) : null,
    lastActivityOn: current.lastActivityDay === null ? null : formatDay(current.lastActivityDay),
    expiresOn: lapse === null ? null : formatDay(lapse),
    expiredAt: isoOrNull(current.expiredAt),
    /** The state lapsed (R10) and the nightly run has not recorded it yet. */
    lapsed: read?.lapsed ?? false,
  };
}

/** The profile's live consents; states of archived consents are kept but not shown. */
export function profileView(
  profileId: string,
  consents: readonly StoredConsent[],
  states: ReadonlyMap<string, ConsentState>,
  now: Instant,
) {
  return {
    profileId,
    consents: consents
      .filter((c) => c.archivedAt === null)
      .map((c) => profileConsentView(c, states.get(c.consent.key), now)),
  };
}
export type ProfileView = ReturnType<typeof profileView>;
