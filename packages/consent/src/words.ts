/**
 * The fixed vocabularies of Lapse, with no zod here, so a bundle can take them alone
 * (`@lapse/consent/words`); schemas.ts builds its enums from them.
 */

/** The seven customer actions of the seed's "Listes des événements", in its order. */
export const EVENT_TYPES = [
  "marketing_operation_joined",
  "email_clicked",
  "sms_clicked",
  "order_placed",
  "loyalty_page_visited",
  "consent_accepted",
  "account_upserted",
] as const;

/** The scopes of a secret key (docs/rules.md: credentials), in the order they are shown. */
export const SCOPES = ["admin", "profiles", "events"] as const;
