import { env } from "cloudflare:workers";
import { expect } from "vitest";

/** Every row a tenant owns, to prove a rejected call changed nothing. */
export async function snapshot(tenantId: string) {
  const tables = [
    "consent",
    "consent_version",
    "consent_state",
    "consent_history",
    "history_head",
    "api_key",
    "signing_key",
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const { results } = await env.DB.prepare(
      `SELECT * FROM ${table} WHERE tenant_id = ? ORDER BY 1, 2, 3`,
    )
      .bind(tenantId)
      .all();
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

/** The tenant's consent_state rows, in a stable order. */
export async function stateRows(tenantId: string) {
  const { results } = await env.DB.prepare(
    "SELECT * FROM consent_state WHERE tenant_id = ? ORDER BY profile_id, consent_id",
  )
    .bind(tenantId)
    .all();
  return results;
}

/** The tenant's history rows for one profile, oldest first. */
export async function historyRows(tenantId: string, profileId: string) {
  const { results } = await env.DB.prepare(
    "SELECT * FROM consent_history WHERE tenant_id = ? AND profile_id = ? ORDER BY seq",
  )
    .bind(tenantId, profileId)
    .all();
  return results;
}
