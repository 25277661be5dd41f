import type { ActivitySource, ConsentState, ConsentStatus } from "@lapse/consent";
import { and, eq, sql } from "drizzle-orm";
import { boundStatement } from "../../db/batch.ts";
import { consentState } from "../../db/schema.ts";
import { consentsQuery, type StoredConsent, toStoredConsent } from "../consents/load.ts";
import type { ServiceContext } from "../context.ts";

/**
 * Reading and writing consent states in bulk. Bulk input is one JSON parameter read with
 * `json_each(?)` (D1 allows 100 bound parameters per statement), so a batch of 1,000 items is
 * still one statement.
 */

type StateRow = typeof consentState.$inferSelect;

export function toDomainState(row: StateRow, key: string): ConsentState {
  return {
    consent: key,
    status: row.status,
    statusChangedAt: row.statusChangedAt,
    lastActivityDay: row.lastActivityDay,
    lastActivitySource: row.lastActivitySource as ActivitySource | null,
    expiredAt: row.expiredAt,
  };
}

/**
 * The tenant's consents (archived ones included, so their states keep their keys) and one
 * profile's states keyed by consent key: one D1 round trip (a batch of two reads).
 */
export async function loadProfile(
  ctx: ServiceContext,
  profileId: string,
): Promise<{ consents: StoredConsent[]; states: Map<string, ConsentState> }> {
  const [consentRows, rows] = await ctx.db.batch([
    consentsQuery(ctx, { includeArchived: true }),
    ctx.db
      .select()
      .from(consentState)
      .where(and(eq(consentState.tenantId, ctx.tenantId), eq(consentState.profileId, profileId))),
  ]);
  const consents = consentRows.map(toStoredConsent);
  return { consents, states: statesByKey(rows, consents) };
}

/** The states of many (profile, consent) pairs in one statement, grouped by profile. */
export async function loadStatesOfPairs(
  ctx: ServiceContext,
  pairs: readonly { profileId: string; consentId: string }[],
  consents: readonly StoredConsent[],
): Promise<Map<string, Map<string, ConsentState>>> {
  const byProfile = new Map<string, Map<string, ConsentState>>();
  if (pairs.length === 0) {
    return byProfile;
  }
  const json = JSON.stringify(pairs.map((p) => ({ p: p.profileId, c: p.consentId })));
  const rows = await ctx.db
    .select()
    .from(consentState)
    .where(
      sql`(${consentState.tenantId}, ${consentState.profileId}, ${consentState.consentId}) IN (SELECT ${ctx.tenantId}, value ->> '$.p', value ->> '$.c' FROM json_each(${json}))`,
    );
  const keyById = new Map(consents.map((c) => [c.id, c.consent.key]));
  for (const row of rows) {
    const key = keyById.get(row.consentId);
    if (key === undefined) {
      continue;
    }
    const states = byProfile.get(row.profileId) ?? new Map<string, ConsentState>();
    byProfile.set(row.profileId, states);
    states.set(key, toDomainState(row, key));
  }
  return byProfile;
}

function statesByKey(rows: StateRow[], consents: readonly StoredConsent[]) {
  const keyById = new Map(consents.map((c) => [c.id, c.consent.key]));
  const states = new Map<string, ConsentState>();
  for (const row of rows) {
    const key = keyById.get(row.consentId);
    if (key !== undefined) {
      states.set(key, toDomainState(row, key));
    }
  }
  return states;
}

export interface StateWrite {
  profileId: string;
  consentId: string;
  state: ConsentState;
}

/** Upserts whole states (status changes and their clocks). */
export function upsertStates(ctx: ServiceContext, writes: readonly StateWrite[]) {
  const json = JSON.stringify(
    writes.map(({ profileId, consentId, state }) => ({
      p: profileId,
      c: consentId,
      s: state.status satisfies ConsentStatus,
      at: state.statusChangedAt,
      d: state.lastActivityDay,
      src: state.lastActivitySource,
      x: state.expiredAt,
    })),
  );
  return boundStatement(
    ctx.db,
    `INSERT INTO consent_state (tenant_id, profile_id, consent_id, status, status_changed_at,
      last_activity_day, last_activity_source, expired_at)
    SELECT ?1, value ->> '$.p', value ->> '$.c', value ->> '$.s', value ->> '$.at',
      value ->> '$.d', value ->> '$.src', value ->> '$.x'
    FROM json_each(?2) WHERE true
    ON CONFLICT (tenant_id, profile_id, consent_id) DO UPDATE SET
      status = excluded.status,
      status_changed_at = excluded.status_changed_at,
      last_activity_day = excluded.last_activity_day,
      last_activity_source = excluded.last_activity_source,
      expired_at = excluded.expired_at`,
    ctx.tenantId,
    json,
  );
}

export interface ExtensionWrite {
  profileId: string;
  consentId: string;
  lastActivityDay: number;
  source: string;
}

/**
 * R5: moves clocks forward, never back. The WHERE clause makes the write happen only when the
 * day increases, and only on accepted states, so a repeated event writes no row at all.
 * Each (profile, consent) pair must appear once, with its largest day.
 */
export function extendStates(ctx: ServiceContext, extensions: readonly ExtensionWrite[]) {
  const json = JSON.stringify(
    extensions.map((e) => ({ p: e.profileId, c: e.consentId, d: e.lastActivityDay, s: e.source })),
  );
  // Written as an upsert over rows known to exist (the EXISTS filter) rather than UPDATE …
  // FROM: SQLite then loops over the JSON and looks each state up by primary key, instead of
  // scanning the tenant's states.
  return boundStatement(
    ctx.db,
    `INSERT INTO consent_state (tenant_id, profile_id, consent_id, status, status_changed_at,
      last_activity_day, last_activity_source)
    SELECT ?1, j.p, j.c, 'accepted', 0, j.d, j.s
    FROM (SELECT value ->> '$.p' AS p, value ->> '$.c' AS c, value ->> '$.d' AS d,
            value ->> '$.s' AS s
          FROM json_each(?2)) AS j
    WHERE EXISTS (SELECT 1 FROM consent_state AS s
      WHERE s.tenant_id = ?1 AND s.profile_id = j.p AND s.consent_id = j.c
        AND s.status = 'accepted' AND (s.last_activity_day IS NULL OR s.last_activity_day < j.d))
    ON CONFLICT (tenant_id, profile_id, consent_id) DO UPDATE SET
      last_activity_day = excluded.last_activity_day,
      last_activity_source = excluded.last_activity_source
    WHERE consent_state.status = 'accepted'
      AND (consent_state.last_activity_day IS NULL
        OR consent_state.last_activity_day < excluded.last_activity_day)`,
    ctx.tenantId,
    json,
  );
}
