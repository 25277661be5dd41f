import { absentState, type ConsentState, expiresOn, formatDay } from "@lapse/consent";
import type { StoredConsent } from "../consents/load.ts";
import { isoOrNull } from "../iso.ts";

/** One consent of a profile as the API shows it; `expiresOn` is null when it does not lapse. */
export function profileConsentView(stored: StoredConsent, state: ConsentState | undefined) {
  const current = state ?? absentState(stored.consent.key);
  const lapse = expiresOn(current, stored.consent.expiry);
  return {
    consent: stored.consent.key,
    kind: stored.consent.kind,
    title: stored.consent.title,
    version: stored.consent.version,
    status: current.status,
    statusChangedAt: state ? isoOrNull(state.statusChangedAt) : null,
    lastActivityOn: current.lastActivityDay === null ? null : formatDay(current.lastActivityDay),
    expiresOn: lapse === null ? null : formatDay(lapse),
    expiredAt: isoOrNull(current.expiredAt),
  };
}

/** The profile's live consents; states of archived consents are kept but not shown. */
export function profileView(
  profileId: string,
  consents: readonly StoredConsent[],
  states: ReadonlyMap<string, ConsentState>,
) {
  return {
    profileId,
    consents: consents
      .filter((c) => c.archivedAt === null)
      .map((c) => profileConsentView(c, states.get(c.consent.key))),
  };
}
export type ProfileView = ReturnType<typeof profileView>;
