import { z } from "zod";
import { EXPIRY_DAYS_MAX, EXPIRY_DAYS_MIN } from "./limits.ts";
import { parseDay } from "./time.ts";
import { EVENT_TYPES, SCOPES } from "./words.ts";

/** The three statuses (R1). No state row means `unknown`. */
export const ConsentStatus = z.enum(["accepted", "refused", "unknown"]);
export type ConsentStatus = z.infer<typeof ConsentStatus>;

/** What a customer or a back end may ask for (R2): `unknown` is reached only by expiry. */
export const RequestedStatus = z.enum(["accepted", "refused"]);
export type RequestedStatus = z.infer<typeof RequestedStatus>;

/** `opt_in`: classic consent, GDPR art. 6(1)(a). `legal_basis`: e.g. legitimate interest, art. 6(1)(f). */
export const ConsentKind = z.enum(["opt_in", "legal_basis"]);
export type ConsentKind = z.infer<typeof ConsentKind>;

export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** A lone UTF-16 surrogate: a string holding one cannot be stored or hashed as sent. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for well-formed Unicode text: stored, hashed and read back exactly as sent. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
export const WELL_FORMED_MESSAGE = "must be well-formed Unicode (no lone surrogates)";

/** Text of `min`–`max` UTF-16 units that is well-formed Unicode. */
export function WellFormedText(min: number, max: number) {
  return z.string().min(min).max(max).refine(isWellFormedText, WELL_FORMED_MESSAGE);
}

/** A tenant's own opaque customer id; no PII is required (docs/rules.md: words). */
export const ProfileId = WellFormedText(1, 128);
export type ProfileId = z.infer<typeof ProfileId>;

/** A consent's slug, unique within its tenant. */
export const ConsentKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "a slug: lowercase letters, digits, '-' and '_'");
export type ConsentKey = z.infer<typeof ConsentKey>;

export const ExpiryDays = z.number().int().min(EXPIRY_DAYS_MIN).max(EXPIRY_DAYS_MAX);

/** A secret key's scope (docs/rules.md: credentials). */
export const Scope = z.enum(SCOPES);
// Spelt from the list, not inferred from the schema: a declaration bundle that names the type
// (the client's) then needs no zod types.
export type Scope = (typeof SCOPES)[number];

/** A set of event types; duplicates are folded and the order is the seed's. */
export const EventTypeSet = z
  .array(EventType)
  .max(EVENT_TYPES.length * 4)
  .transform((types) => EVENT_TYPES.filter((t) => types.includes(t)));

/** An ISO 8601 instant with an explicit offset, read as epoch milliseconds. */
export const InstantText = z.iso.datetime({ offset: true }).transform((text) => Date.parse(text));

/** A `YYYY-MM-DD` calendar day, read as an epoch day. */
export const DayText = z.string().transform((text, ctx) => {
  const day = parseDay(text);
  if (day === undefined) {
    ctx.addIssue({ code: "custom", message: "a calendar day as YYYY-MM-DD" });
    return z.NEVER;
  }
  return day;
});

/**
 * A consent's expiry policy (docs/rules.md: words). `activatedAt` is the last activation (R7); it is kept
 * after a deactivation for the record, and replaced by the next activation.
 */
export const ExpiryPolicy = z.strictObject({
  days: ExpiryDays,
  extendOn: z.array(EventType),
  enabled: z.boolean(),
  activatedAt: z.number().int().nullable(),
});
export type ExpiryPolicy = z.infer<typeof ExpiryPolicy>;

/** A catalogue entry of a tenant. `expiry` is null until a policy is configured. */
export const Consent = z.strictObject({
  key: ConsentKey,
  kind: ConsentKind,
  version: z.number().int().min(1),
  title: WellFormedText(1, 200),
  description: WellFormedText(0, 4000),
  /** Legal bases only (R4): events that bring an `unknown` profile (back) into the basis. */
  entryEvents: z.array(EventType),
  expiry: ExpiryPolicy.nullable(),
});
export type Consent = z.infer<typeof Consent>;

/** What last moved a state's clock: its acceptance, or an extending event. */
export const ActivitySource = z.enum(["accepted", ...EVENT_TYPES]);
export type ActivitySource = z.infer<typeof ActivitySource>;

/** A profile's status for one consent. */
export const ConsentState = z.strictObject({
  consent: ConsentKey,
  status: ConsentStatus,
  statusChangedAt: z.number().int(),
  /** R5: the day of the latest acceptance or extending event; null when never accepted. */
  lastActivityDay: z.number().int().nullable(),
  lastActivitySource: ActivitySource.nullable(),
  /** R11: set when the state lapsed, so "expired" stays distinguishable from "never asked". */
  expiredAt: z.number().int().nullable(),
});
export type ConsentState = z.infer<typeof ConsentState>;

/** A customer action reported for a profile. */
export const ConsentEvent = z.strictObject({
  profileId: ProfileId,
  type: EventType,
  occurredAt: z.number().int(),
});
export type ConsentEvent = z.infer<typeof ConsentEvent>;

/** Why a status changed (R11). */
export const HistoryReason = z.enum(["customer", "api", "entry_event", "expired", "import"]);
export type HistoryReason = z.infer<typeof HistoryReason>;

/** One immutable line of the proof trail (R11). */
export const HistoryEntry = z.strictObject({
  profileId: ProfileId,
  consent: ConsentKey,
  consentVersion: z.number().int().min(1),
  from: ConsentStatus,
  to: ConsentStatus,
  reason: HistoryReason,
  /** The channel or actor: which key made the change, or `cron` for expiry. */
  actor: WellFormedText(1, 200),
  occurredAt: z.number().int(),
  recordedAt: z.number().int(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** A request to move one state (R2, R3). */
export const StatusRequest = z.strictObject({
  consent: ConsentKey,
  status: RequestedStatus,
});
export type StatusRequest = z.infer<typeof StatusRequest>;
