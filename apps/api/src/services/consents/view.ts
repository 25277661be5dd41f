import { dayOf, formatDay } from "@lapse/consent";
import { isoOrNull } from "../iso.ts";
import type { StoredConsent } from "./load.ts";

/** A consent as the API shows it (admin and catalogue). Instants are ISO strings on the wire. */
export function consentView(stored: StoredConsent) {
  const { consent } = stored;
  return {
    key: consent.key,
    kind: consent.kind,
    title: consent.title,
    description: consent.description,
    version: consent.version,
    entryEvents: consent.entryEvents,
    expiry: consent.expiry && {
      days: consent.expiry.days,
      extendOn: consent.expiry.extendOn,
      enabled: consent.expiry.enabled,
      activatedAt: isoOrNull(consent.expiry.activatedAt),
      activatedOn:
        consent.expiry.activatedAt === null ? null : formatDay(dayOf(consent.expiry.activatedAt)),
    },
    archivedAt: isoOrNull(stored.archivedAt),
  };
}
export type ConsentView = ReturnType<typeof consentView>;
