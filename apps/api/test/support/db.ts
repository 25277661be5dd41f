import { env } from "cloudflare:workers";
import { expect } from "vitest";

/** The tenant's number in the data tables, as SQL over a bound tenant id. */
const TENANT_NUM = "(SELECT num FROM tenant WHERE id = ?1)";

/**
 * Every row a tenant owns, to prove a rejected call changed nothing: its control rows (by
 * tenant id) and its data rows (by tenant number; states through their profiles).
 */
export async function snapshot(tenantId: string) {
  const queries: Record<string, string> = {
    consent: "SELECT * FROM consent WHERE tenant_id = ?1 ORDER BY id",
    consent_version:
      "SELECT * FROM consent_version WHERE tenant_id = ?1 ORDER BY consent_id, version",
    api_key: "SELECT * FROM api_key WHERE tenant_id = ?1 ORDER BY id",
    signing_key: "SELECT * FROM signing_key WHERE tenant_id = ?1 ORDER BY id",
    profile: `SELECT id, external_id, hex(salt) AS salt FROM profile WHERE tenant = ${TENANT_NUM} ORDER BY id`,
    state: `SELECT s.* FROM state AS s JOIN profile AS p ON p.id = s.profile
      WHERE p.tenant = ${TENANT_NUM} ORDER BY s.profile, s.consent`,
    entry: `SELECT tenant, idx, kind, profile, consent, version, from_status, to_status, reason,
      actor, occurred_at, recorded_at, hex(data) AS data
      FROM entry WHERE tenant = ${TENANT_NUM} ORDER BY idx`,
    actor: `SELECT * FROM actor WHERE tenant = ${TENANT_NUM} ORDER BY id`,
    erased_profile: `SELECT hex(id_hmac) AS id_hmac, erased_at FROM erased_profile
      WHERE tenant = ${TENANT_NUM} ORDER BY 1`,
  };
  const out: Record<string, unknown[]> = {};
  for (const [table, query] of Object.entries(queries)) {
    const { results } = await env.DB.prepare(query).bind(tenantId).all();
    out[table] = results;
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

/** The tenant's states with their profile ids and consent keys, in a stable order. */
export async function stateRows(tenantId: string) {
  const { results } = await env.DB.prepare(
    `SELECT p.external_id AS profile_id, c.key AS consent_key, st.name AS status,
       s.changed_at, s.activity_day, s.source, s.expired_at
     FROM state AS s
     JOIN profile AS p ON p.id = s.profile
     JOIN consent AS c ON c.num = s.consent
     JOIN status_code AS st ON st.code = s.status
     WHERE p.tenant = ${TENANT_NUM} ORDER BY p.external_id, c.key`,
  )
    .bind(tenantId)
    .all();
  return results;
}

/** One profile's status-change entries in the log, oldest first, with names for codes. */
export async function historyRows(tenantId: string, profileId: string) {
  const { results } = await env.DB.prepare(
    `SELECT e.idx AS seq, c.key AS consent_key, e.version AS consent_version,
       f.name AS from_status, t.name AS to_status, r.name AS reason, a.name AS actor,
       e.occurred_at, e.recorded_at
     FROM entry AS e
     JOIN profile AS p ON p.id = e.profile
     JOIN consent AS c ON c.num = e.consent
     JOIN actor AS a ON a.id = e.actor
     JOIN status_code AS f ON f.code = e.from_status
     JOIN status_code AS t ON t.code = e.to_status
     JOIN reason_code AS r ON r.code = e.reason
     WHERE p.tenant = ${TENANT_NUM} AND p.external_id = ?2 AND e.kind = 1 ORDER BY e.idx`,
  )
    .bind(tenantId, profileId)
    .all();
  return results;
}
