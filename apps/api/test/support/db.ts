import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { consentKeysOf, placementOf, shardOf } from "./shards.ts";

/**
 * Every row a tenant owns, to prove a rejected call changed nothing: its control rows (by
 * tenant id) and its data rows on each of its shards (by tenant number; states through their
 * profiles).
 */
export async function snapshot(tenantId: string) {
  const control: Record<string, string> = {
    consent: "SELECT * FROM consent WHERE tenant_id = ?1 ORDER BY id",
    consent_version:
      "SELECT * FROM consent_version WHERE tenant_id = ?1 ORDER BY consent_id, version",
    api_key: "SELECT * FROM api_key WHERE tenant_id = ?1 ORDER BY id",
    signing_key: "SELECT * FROM signing_key WHERE tenant_id = ?1 ORDER BY id",
    tenant_shard: "SELECT * FROM tenant_shard WHERE tenant_id = ?1 ORDER BY slot",
  };
  const data: Record<string, string> = {
    profile: "SELECT id, external_id, hex(salt) AS salt FROM profile WHERE tenant = ?1 ORDER BY id",
    state: `SELECT s.* FROM state AS s JOIN profile AS p ON p.id = s.profile
      WHERE p.tenant = ?1 ORDER BY s.profile, s.consent`,
    entry: `SELECT tenant, idx, kind, profile, consent, version, from_status, to_status, reason,
      actor, occurred_at, recorded_at, hex(data) AS data
      FROM entry WHERE tenant = ?1 ORDER BY idx`,
    actor: "SELECT * FROM actor WHERE tenant = ?1 ORDER BY id",
    erased_profile: `SELECT hex(id_hmac) AS id_hmac, erased_at FROM erased_profile
      WHERE tenant = ?1 ORDER BY 1`,
  };
  const out: Record<string, unknown[]> = {};
  for (const [table, query] of Object.entries(control)) {
    const { results } = await env.DB.prepare(query).bind(tenantId).all();
    out[table] = results;
  }
  // A data table's rows from every shard of the tenant, in slot order.
  const { num, shards } = await placementOf(tenantId);
  for (const [table, query] of Object.entries(data)) {
    out[table] = [];
    for (const shard of shards) {
      const { results } = await shard.prepare(query).bind(num).all();
      out[table].push(...results);
    }
  }
  return out;
}

/** Runs a call that must be rejected and proves the tenant's rows are exactly as before. */
export async function unchanged<T>(tenantId: string, run: () => Promise<T>): Promise<T> {
  const before = await snapshot(tenantId);
  const result = await run();
  expect(await snapshot(tenantId)).toEqual(before);
  return result;
}

/** The tenant's states (every shard) with their profile ids and consent keys, in a stable order. */
export async function stateRows(tenantId: string) {
  const [{ num, shards }, keys] = await Promise.all([
    placementOf(tenantId),
    consentKeysOf(tenantId),
  ]);
  const rows: Record<string, unknown>[] = [];
  for (const shard of shards) {
    const { results } = await shard
      .prepare(
        `SELECT p.external_id AS profile_id, s.consent, st.name AS status,
           s.changed_at, s.activity_day, s.source, s.expired_at
         FROM state AS s
         JOIN profile AS p ON p.id = s.profile
         JOIN status_code AS st ON st.code = s.status
         WHERE p.tenant = ?1`,
      )
      .bind(num)
      .all<{ profile_id: string; consent: number } & Record<string, unknown>>();
    for (const { consent, ...row } of results) {
      const { profile_id, ...rest } = row;
      rows.push({ profile_id, consent_key: keys.get(consent), ...rest });
    }
  }
  return rows.sort(
    (a, b) =>
      String(a.profile_id).localeCompare(String(b.profile_id)) ||
      String(a.consent_key).localeCompare(String(b.consent_key)),
  );
}

/** One profile's status-change entries in the log, oldest first, with names for codes. */
export async function historyRows(tenantId: string, profileId: string) {
  const [{ num }, shard, keys] = await Promise.all([
    placementOf(tenantId),
    shardOf(tenantId, profileId),
    consentKeysOf(tenantId),
  ]);
  const { results } = await shard
    .prepare(
      `SELECT e.idx AS seq, e.consent, e.version AS consent_version,
         f.name AS from_status, t.name AS to_status, r.name AS reason, a.name AS actor,
         e.occurred_at, e.recorded_at
       FROM entry AS e
       JOIN profile AS p ON p.id = e.profile
       JOIN actor AS a ON a.id = e.actor
       JOIN status_code AS f ON f.code = e.from_status
       JOIN status_code AS t ON t.code = e.to_status
       JOIN reason_code AS r ON r.code = e.reason
       WHERE p.tenant = ?1 AND p.external_id = ?2 AND e.kind = 1 ORDER BY e.idx`,
    )
    .bind(num, profileId)
    .all<{ seq: number; consent: number } & Record<string, unknown>>();
  return results.map(
    ({ seq, consent, ...rest }): Record<string, unknown> => ({
      seq,
      consent_key: keys.get(consent),
      ...rest,
    }),
  );
}
