import {
  activationDay,
  ConsentKey,
  dayOf,
  effectiveLastActivity,
  formatDay,
  lapsedThroughDay,
} from "@lapse/consent";
import { z } from "zod";
import { requireConsent } from "../consents/load.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";

export const UpcomingExpiryInput = z.strictObject({
  consent: ConsentKey,
  /** States lapsing after today and at most this many days from today. */
  withinDays: z.number().int().min(1).max(366),
  limit: z.number().int().min(1).max(500).optional(),
  cursor: z.string().max(4096).optional(),
});
export type UpcomingExpiryInput = z.infer<typeof UpcomingExpiryInput>;

/** One data shard's position in the list: the last (activity day, profile key) returned. */
type Position = [number, number] | null;

function parseCursor(cursor: string | undefined, slots: number): Position[] {
  if (cursor === undefined) {
    return Array.from({ length: slots }, () => null);
  }
  let positions: unknown;
  try {
    positions = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
  } catch {
    positions = undefined;
  }
  const valid =
    Array.isArray(positions) &&
    positions.length === slots &&
    positions.every(
      (p) =>
        p === null ||
        (Array.isArray(p) && p.length === 2 && p.every((n) => Number.isSafeInteger(n))),
    );
  if (!valid) {
    throw new ServiceError(
      "BAD_REQUEST",
      "The cursor is not one this list returned (or the tenant's data moved shards since): start again without it.",
      [{ path: "cursor", message: "not a cursor of admin.expiry.upcoming" }],
    );
  }
  return positions as Position[];
}

function formatCursor(positions: readonly Position[]): string {
  return btoa(JSON.stringify(positions))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * The profiles whose consent lapses within `withinDays` (after today, by read-time truth, R10),
 * soonest first, for a re-permission campaign (R14). Read through the partial due index of each
 * of the tenant's shards and merged by lapse day; `nextCursor` is null when the list is done.
 * A consent whose expiry is off lapses nothing: the list is empty.
 */
export async function upcomingExpiry({ ctx, input }: ServiceCall<UpcomingExpiryInput>) {
  const stored = await requireConsent(ctx, input.consent);
  const policy = stored.consent.expiry;
  if (policy === null) {
    throw new ServiceError(
      "EXPIRY_NOT_CONFIGURED",
      "This consent has no expiry configured: nothing lapses.",
    );
  }
  const positions = parseCursor(input.cursor, ctx.shards.length);
  const activated = activationDay(policy);
  if (!policy.enabled || activated === null) {
    return { items: [], nextCursor: null };
  }
  const limit = input.limit ?? 100;
  // Not lapsed yet (R10: lapsedThroughDay), and lapsing by the horizon.
  const hi = dayOf(ctx.now) + input.withinDays - policy.days;
  const lo = lapsedThroughDay(policy, ctx.now) ?? Number.MIN_SAFE_INTEGER;
  const pages = await Promise.all(
    ctx.shards.map(async (shard, slot) => {
      const after = positions[slot] ?? [lo, -1];
      const { results } = await shard.db.$client
        .prepare(
          `SELECT s.activity_day AS day, s.profile AS key, p.external_id AS profileId
           FROM state AS s JOIN profile AS p ON p.id = s.profile
           WHERE s.consent = ?1 AND s.status = 1 AND s.activity_day > ?2 AND s.activity_day <= ?3
             AND (s.activity_day, s.profile) > (?4, ?5)
           ORDER BY s.activity_day, s.profile LIMIT ?6`,
        )
        .bind(stored.num, lo, hi, after[0], after[1], limit)
        .all<{ day: number; key: number; profileId: string }>();
      return results.map((row) => ({ ...row, slot }));
    }),
  );
  // R7: a clock starts no earlier than the activation day.
  const lapseDay = (day: number) => (effectiveLastActivity(day, policy) ?? activated) + policy.days;
  const merged = pages
    .flat()
    // Within a shard this keeps the page's own order, so what is taken of it is a prefix.
    .sort(
      (a, b) =>
        lapseDay(a.day) - lapseDay(b.day) || a.slot - b.slot || a.day - b.day || a.key - b.key,
    )
    .slice(0, limit);
  const next = [...positions];
  for (const row of merged) {
    next[row.slot] = [row.day, row.key];
  }
  // More may follow from a shard that filled its page, or whose rows were not all taken.
  const taken = new Set(merged);
  const more = pages.some((page) => page.length === limit || page.some((row) => !taken.has(row)));
  return {
    items: merged.map((row) => ({
      profileId: row.profileId,
      lapsesOn: formatDay(lapseDay(row.day)),
      lastActivityOn: formatDay(row.day),
    })),
    nextCursor: more ? formatCursor(next) : null,
  };
}
