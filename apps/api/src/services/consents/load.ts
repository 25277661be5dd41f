import { type Consent, EventType } from "@lapse/consent";
import { and, asc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { consent } from "../../db/schema.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";

const EventTypeList = z.array(EventType);

export type ConsentRow = typeof consent.$inferSelect;

/** A catalogue row with its domain view. */
export interface StoredConsent {
  id: string;
  /** The consent's number in the data tables. */
  num: number;
  consent: Consent;
  archivedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The domain view of a row: the rules in @lapse/consent decide on this. */
export function toStoredConsent(row: ConsentRow): StoredConsent {
  return {
    id: row.id,
    num: row.num,
    consent: {
      key: row.key,
      kind: row.kind,
      version: row.version,
      title: row.title,
      description: row.description,
      entryEvents: EventTypeList.parse(JSON.parse(row.entryEvents)),
      expiry:
        row.expiryDays === null
          ? null
          : {
              days: row.expiryDays,
              extendOn: EventTypeList.parse(JSON.parse(row.expiryExtendOn)),
              enabled: row.expiryEnabled,
              activatedAt: row.expiryActivatedAt,
            },
    },
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The tenant's consents, live ones only unless asked, in key order. */
export async function loadConsents(
  ctx: ServiceContext,
  options: { includeArchived?: boolean } = {},
): Promise<StoredConsent[]> {
  return (await consentsQuery(ctx, options)).map(toStoredConsent);
}

/** The statement behind `loadConsents`, for a `db.batch`; map its rows with `toStoredConsent`. */
export function consentsQuery(ctx: ServiceContext, options: { includeArchived?: boolean } = {}) {
  return ctx.db
    .select()
    .from(consent)
    .where(
      options.includeArchived
        ? eq(consent.tenantId, ctx.tenantId)
        : and(eq(consent.tenantId, ctx.tenantId), isNull(consent.archivedAt)),
    )
    .orderBy(asc(consent.key));
}

/** A consent of this tenant by key; another tenant's key reads as absent (R12). */
export async function requireConsent(
  ctx: ServiceContext,
  key: string,
  options: { allowArchived?: boolean } = {},
): Promise<StoredConsent> {
  const row = await ctx.db
    .select()
    .from(consent)
    .where(and(eq(consent.tenantId, ctx.tenantId), eq(consent.key, key)))
    .get();
  if (!row || (row.archivedAt !== null && !options.allowArchived)) {
    throw new ServiceError("NOT_FOUND", `No consent '${key}' in this tenant's catalogue.`);
  }
  return toStoredConsent(row);
}

/** Finds each key among live consents; unknown keys are reported with their input path. */
export function resolveKeys(
  consents: readonly StoredConsent[],
  keys: readonly { path: string; key: string }[],
): Map<string, StoredConsent> {
  const byKey = new Map(consents.map((c) => [c.consent.key, c]));
  const issues = keys
    .filter(({ key }) => !byKey.has(key))
    .map(({ path, key }) => ({ path, message: `No consent '${key}' in this tenant's catalogue.` }));
  if (issues.length > 0) {
    throw new ServiceError("BAD_REQUEST", "Unknown consent key(s); nothing was changed.", issues);
  }
  return byKey;
}
