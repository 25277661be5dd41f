import { env } from "cloudflare:workers";
import { slotOf } from "../../src/services/shards/route.ts";

/** The data shards of this test run (wrangler.jsonc), by binding name. */
export const SHARDS: Record<string, D1Database> = { SHARD_0: env.SHARD_0, SHARD_1: env.SHARD_1 };

/** A tenant's number and its data shards by slot, read from the control plane's shard map. */
export async function placementOf(tenantId: string) {
  const { results } = await env.DB.prepare(
    `SELECT t.num, s.binding FROM tenant AS t
     JOIN tenant_shard AS ts ON ts.tenant_id = t.id JOIN shard AS s ON s.num = ts.shard
     WHERE t.id = ?1 ORDER BY ts.slot`,
  )
    .bind(tenantId)
    .all<{ num: number; binding: string }>();
  const first = results[0];
  if (!first) {
    throw new Error(`tenant ${tenantId} has no placement`);
  }
  return {
    num: first.num,
    bindings: results.map((r) => r.binding),
    shards: results.map((r) => shardNamed(r.binding)),
  };
}

function shardNamed(binding: string): D1Database {
  const shard = SHARDS[binding];
  if (!shard) {
    throw new Error(`no data shard ${binding} in this test run`);
  }
  return shard;
}

/** The data shard that holds a tenant's profile (as the API routes it). */
export async function shardOf(tenantId: string, profileId: string): Promise<D1Database> {
  const { shards } = await placementOf(tenantId);
  return shards[slotOf(tenantId, profileId, shards.length)] as D1Database;
}

/** A tenant's only data shard (most tests' tenants span one), with its number. */
export async function soleShardOf(tenantId: string): Promise<{ num: number; db: D1Database }> {
  const { num, shards } = await placementOf(tenantId);
  if (shards.length !== 1) {
    throw new Error(`tenant ${tenantId} spans ${shards.length} shards`);
  }
  return { num, db: shards[0] as D1Database };
}

/** The consent keys of a tenant by number (the data shards store numbers). */
export async function consentKeysOf(tenantId: string): Promise<Map<number, string>> {
  const { results } = await env.DB.prepare("SELECT num, key FROM consent WHERE tenant_id = ?1")
    .bind(tenantId)
    .all<{ num: number; key: string }>();
  return new Map(results.map((r) => [r.num, r.key]));
}
