import type { ConsentState } from "@lapse/consent";
import { encodeHex, generateProfileSalt, profileCommitment } from "@lapse/proof";
import { and, eq } from "drizzle-orm";
import { boundStatement } from "../../db/batch.ts";
import { sourceCode, sourceOf, statusCode, statusOf } from "../../db/codes.ts";
import { profile, state } from "../../db/schema.ts";
import { consentsQuery, type StoredConsent, toStoredConsent } from "../consents/load.ts";
import type { ServiceContext } from "../context.ts";
import { type DataContext, forProfile, groupByShard } from "../shards/route.ts";

/**
 * Reading and writing consent states in bulk (storage v2, docs/storage.md). A state row is
 * keyed by (profile key, consent number); the tenant's external profile id lives once, in the
 * `profile` row. Bulk input is one JSON parameter read with `json_each(?)` (D1 allows 100 bound
 * parameters per statement), so a batch of 1,000 items is still one statement, and every
 * statement finds profile keys by joining `profile` on (tenant, external id) itself: no write
 * reads anything first.
 */

/** A state row as read, with its consent number. */
interface StateRow {
  consent: number;
  status: number;
  changedAt: number;
  activityDay: number | null;
  source: number | null;
  expiredAt: number | null;
}

export function toDomainState(row: StateRow, key: string): ConsentState {
  return {
    consent: key,
    status: statusOf(row.status),
    statusChangedAt: row.changedAt,
    lastActivityDay: row.activityDay,
    lastActivitySource: sourceOf(row.source),
    expiredAt: row.expiredAt,
  };
}

const stateColumns = {
  consent: state.consent,
  status: state.status,
  changedAt: state.changedAt,
  activityDay: state.activityDay,
  source: state.source,
  expiredAt: state.expiredAt,
};

/** One profile's states (a query to batch), found through the tenant's profile row. */
export function profileStatesQuery(ctx: DataContext, profileId: string) {
  return ctx.data
    .select(stateColumns)
    .from(state)
    .innerJoin(profile, eq(profile.id, state.profile))
    .where(and(eq(profile.tenant, ctx.tenantNum), eq(profile.externalId, profileId)));
}

/**
 * The tenant's consents (archived ones included, so their states keep their keys) and one
 * profile's states keyed by consent key: two reads at once, the catalogue from the control
 * plane and the states from the profile's shard.
 */
export async function loadProfile(
  ctx: ServiceContext,
  profileId: string,
): Promise<{ consents: StoredConsent[]; states: Map<string, ConsentState> }> {
  const [consentRows, rows] = await Promise.all([
    consentsQuery(ctx, { includeArchived: true }),
    profileStatesQuery(forProfile(ctx, profileId), profileId),
  ]);
  const consents = consentRows.map(toStoredConsent);
  return { consents, states: statesByKey(rows, consents) };
}

/**
 * The states of many (profile, consent) pairs, grouped by profile: one statement per shard
 * the pairs' profiles live on, the shards read at once.
 */
export async function loadStatesOfPairs(
  ctx: ServiceContext,
  pairs: readonly { profileId: string; consent: number }[],
  consents: readonly StoredConsent[],
): Promise<Map<string, Map<string, ConsentState>>> {
  const byProfile = new Map<string, Map<string, ConsentState>>();
  if (pairs.length === 0) {
    return byProfile;
  }
  const answers = await Promise.all(
    groupByShard(ctx, pairs, (p) => p.profileId).map(({ shard, items }) =>
      shard.db.$client
        .prepare(
          `SELECT p.external_id AS profileId, s.consent, s.status, s.changed_at AS changedAt,
             s.activity_day AS activityDay, s.source, s.expired_at AS expiredAt
           FROM json_each(?2) AS j
           CROSS JOIN profile AS p ON p.tenant = ?1 AND p.external_id = j.value ->> '$.p'
           JOIN state AS s ON s.profile = p.id AND s.consent = j.value ->> '$.c'`,
        )
        .bind(ctx.tenantNum, JSON.stringify(items.map((p) => ({ p: p.profileId, c: p.consent }))))
        .all<StateRow & { profileId: string }>(),
    ),
  );
  const keyByNum = new Map(consents.map((c) => [c.num, c.consent.key]));
  for (const row of answers.flatMap((a) => a.results)) {
    const key = keyByNum.get(row.consent);
    if (key === undefined) {
      continue;
    }
    const states = byProfile.get(row.profileId) ?? new Map<string, ConsentState>();
    byProfile.set(row.profileId, states);
    states.set(key, toDomainState(row, key));
  }
  return byProfile;
}

function statesByKey(rows: readonly StateRow[], consents: readonly StoredConsent[]) {
  const keyByNum = new Map(consents.map((c) => [c.num, c.consent.key]));
  const states = new Map<string, ConsentState>();
  for (const row of rows) {
    const key = keyByNum.get(row.consent);
    if (key !== undefined) {
      states.set(key, toDomainState(row, key));
    }
  }
  return states;
}

/** The next leaf index of the tenant's log, as SQL (?1 is the tenant's number). */
export const NEXT_INDEX =
  "coalesce((SELECT idx FROM entry WHERE tenant = ?1 ORDER BY idx DESC LIMIT 1), -1)";

/**
 * The statements that give each of these external ids a profile row, if it has none: a random
 * salt, and the binding entry that commits to (salt, id) in the log (R11). Each call draws a
 * fresh salt, so the binding insert, which joins on it, only sees the rows this call created.
 */
export function ensureProfiles(
  ctx: DataContext,
  profileIds: Iterable<string>,
): D1PreparedStatement[] {
  const rows = [...new Set(profileIds)].map((id) => {
    const salt = generateProfileSalt();
    return { p: id, s: encodeHex(salt), c: encodeHex(profileCommitment(salt, id)) };
  });
  if (rows.length === 0) {
    return [];
  }
  const json = JSON.stringify(rows);
  return [
    boundStatement(
      ctx.data,
      `INSERT INTO profile (tenant, external_id, salt)
       SELECT ?1, value ->> '$.p', unhex(value ->> '$.s') FROM json_each(?2) WHERE true
       ON CONFLICT (tenant, external_id) DO NOTHING`,
      ctx.tenantNum,
      json,
    ),
    boundStatement(
      ctx.data,
      `INSERT INTO entry (tenant, idx, kind, profile, recorded_at, data)
       SELECT ?1, ${NEXT_INDEX} + row_number() OVER (ORDER BY j.key), 2, p.id, ?3,
         unhex(j.value ->> '$.c')
       FROM json_each(?2) AS j
       CROSS JOIN profile AS p ON p.tenant = ?1 AND p.external_id = j.value ->> '$.p'
         AND p.salt = unhex(j.value ->> '$.s')`,
      ctx.tenantNum,
      json,
      ctx.now,
    ),
  ];
}

export interface StateWrite {
  profileId: string;
  /** consent.num */
  consent: number;
  state: ConsentState;
}

/**
 * Upserts whole states (status changes and their clocks). The profiles must have rows: put
 * `ensureProfiles` of the same ids before it in the batch.
 */
export function upsertStates(ctx: DataContext, writes: readonly StateWrite[]) {
  const json = JSON.stringify(
    writes.map(({ profileId, consent, state: s }) => ({
      p: profileId,
      c: consent,
      s: statusCode(s.status),
      at: s.statusChangedAt,
      d: s.lastActivityDay,
      src: sourceCode(s.lastActivitySource),
      x: s.expiredAt,
    })),
  );
  return boundStatement(
    ctx.data,
    `INSERT INTO state (profile, consent, status, changed_at, activity_day, source, expired_at)
    SELECT p.id, j.value ->> '$.c', j.value ->> '$.s', j.value ->> '$.at', j.value ->> '$.d',
      j.value ->> '$.src', j.value ->> '$.x'
    FROM json_each(?2) AS j
    CROSS JOIN profile AS p ON p.tenant = ?1 AND p.external_id = j.value ->> '$.p'
    WHERE true
    ON CONFLICT (profile, consent) DO UPDATE SET
      status = excluded.status,
      changed_at = excluded.changed_at,
      activity_day = excluded.activity_day,
      source = excluded.source,
      expired_at = excluded.expired_at`,
    ctx.tenantNum,
    json,
  );
}

export interface ExtensionWrite {
  profileId: string;
  /** consent.num */
  consent: number;
  lastActivityDay: number;
  source: string;
  /**
   * R10: a state whose last activity is on or before this day has lapsed (lapsedThroughDay):
   * the extension leaves it, so an event never revives a lapsed consent, however it is dated;
   * the nightly run records the lapse. Absent: no state of the consent can have lapsed.
   */
  lapsedThroughDay?: number | null;
}

/**
 * R5: moves clocks forward, never back. The WHERE clauses make the write happen only when the
 * day increases, and only on accepted states, so a repeated event writes no row at all.
 * Each (profile, consent) pair must appear once, with its largest day.
 */
export function extendStates(ctx: DataContext, extensions: readonly ExtensionWrite[]) {
  const json = JSON.stringify(
    extensions.map((e) => ({
      p: e.profileId,
      c: e.consent,
      d: e.lastActivityDay,
      s: sourceCode(e.source as ConsentState["lastActivitySource"]),
      l: e.lapsedThroughDay ?? null,
    })),
  );
  // An upsert over rows known to exist (the EXISTS filter) rather than UPDATE … FROM: SQLite
  // then loops over the JSON and looks each state up by primary key.
  return boundStatement(
    ctx.data,
    `INSERT INTO state (profile, consent, status, changed_at, activity_day, source)
    SELECT p.id, j.c, 1, 0, j.d, j.s
    FROM (SELECT value ->> '$.p' AS p, value ->> '$.c' AS c, value ->> '$.d' AS d,
            value ->> '$.s' AS s, value ->> '$.l' AS l
          FROM json_each(?2)) AS j
    CROSS JOIN profile AS p ON p.tenant = ?1 AND p.external_id = j.p
    WHERE EXISTS (SELECT 1 FROM state AS s
      WHERE s.profile = p.id AND s.consent = j.c AND s.status = 1
        AND (s.activity_day IS NULL OR s.activity_day < j.d)
        AND (j.l IS NULL OR s.activity_day > j.l))
    ON CONFLICT (profile, consent) DO UPDATE SET
      activity_day = excluded.activity_day,
      source = excluded.source
    WHERE state.status = 1
      AND (state.activity_day IS NULL OR state.activity_day < excluded.activity_day)`,
    ctx.tenantNum,
    json,
  );
}
