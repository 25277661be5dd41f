import { eq, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { apiKey, tenant } from "../../db/schema.ts";
import type { UnscopedContext } from "../context.ts";
import { hashKey, type KeyKind, type KeyScope } from "./material.ts";

export interface Credential {
  keyId: string;
  tenantId: string;
  /** The tenant's number in the data tables. */
  tenantNum: number;
  kind: KeyKind;
  scopes: KeyScope[];
  /** Origins allowed to call with this tenant's publishable keys. */
  corsOrigins: string[];
  /** The tenant's data shards by slot (the shard map, SPEC §6). */
  shards: PlacedSlot[];
  /** `tenant:reshard` is copying the tenant's data: data writes are refused meanwhile. */
  resharding: boolean;
}

/** One slot of a tenant's placement: its shard's binding, and where its own log entries start. */
export interface PlacedSlot {
  binding: string;
  /** 0, or the size of the log this slot's log was forked from by a reshard. */
  logFrom: number;
}

export type AuthenticateResult =
  | { ok: true; credential: Credential }
  | { ok: false; message: string };

/** A tenant's live profile-token signing secrets by `kid`. */
export type SigningSecrets = ReadonlyMap<string, string>;

/**
 * Resolves a bearer key to its tenant (R12: the tenant comes from the credential, never from
 * the input). Runs before a tenant is known, so its context has no tenant.
 */
export async function authenticateKey({
  ctx,
  input,
}: {
  ctx: UnscopedContext;
  input: { key: string };
}): Promise<AuthenticateResult & { signingSecrets?: SigningSecrets }> {
  if (!/^lapse_(sk|pk)_[0-9a-z]{32}$/.test(input.key)) {
    return { ok: false, message: "This is not a Lapse API key." };
  }
  const found = await ctx.db
    .select({
      key: apiKey,
      corsOrigins: tenant.corsOrigins,
      tenantNum: tenant.num,
      resharding: tenant.reshardingSince,
      shards: tenantShardsSql(sql`"api_key"."tenant_id"`),
      // Calls with a publishable key verify profile tokens: the tenant's live signing secrets
      // come with the key, so a storefront call makes one D1 round trip less.
      signingSecrets: sql<string | null>`CASE WHEN "api_key"."kind" = 'publishable' THEN
        (SELECT json_group_object(sk.id, sk.secret) FROM signing_key AS sk
         WHERE sk.tenant_id = "api_key"."tenant_id" AND sk.revoked_at IS NULL) END`,
    })
    .from(apiKey)
    .innerJoin(tenant, eq(tenant.id, apiKey.tenantId))
    .where(eq(apiKey.hash, await hashKey(input.key)))
    .get();
  const result = credentialOf(found, ctx.now);
  if (!result.ok) {
    return result;
  }
  const secrets = JSON.parse(found?.signingSecrets ?? "{}") as Record<string, string>;
  return { ...result, signingSecrets: new Map(Object.entries(secrets)) };
}

/**
 * A tenant's data shards in slot order (PlacedSlot), as a JSON array: read with the
 * credential, so a call knows where its tenant's data lives without another round trip.
 */
export function tenantShardsSql(tenantId: SQLWrapper): SQL<string> {
  return sql<string>`(SELECT json_group_array(json_object('binding', binding, 'logFrom', log_from))
    FROM (SELECT s.binding, ts.log_from FROM tenant_shard AS ts
    JOIN shard AS s ON s.num = ts.shard WHERE ts.tenant_id = ${tenantId} ORDER BY ts.slot))`;
}

/** The credential of a key row, if the key is still live. */
export function credentialOf(
  found:
    | {
        key: typeof apiKey.$inferSelect;
        corsOrigins: string;
        tenantNum: number;
        shards: string;
        resharding: number | null;
      }
    | undefined,
  now: number,
): AuthenticateResult {
  const row = found?.key;
  if (!found || !row) {
    return { ok: false, message: "Unknown API key." };
  }
  if (row.revokedAt !== null && row.revokedAt <= now) {
    return { ok: false, message: "This API key was revoked." };
  }
  if (row.expiresAt !== null && row.expiresAt <= now) {
    return { ok: false, message: "This API key has expired." };
  }
  return {
    ok: true,
    credential: {
      keyId: row.id,
      tenantId: row.tenantId,
      tenantNum: found.tenantNum,
      kind: row.kind,
      scopes: JSON.parse(row.scopes) as KeyScope[],
      corsOrigins: JSON.parse(found.corsOrigins) as string[],
      shards: JSON.parse(found.shards) as PlacedSlot[],
      resharding: found.resharding !== null,
    },
  };
}
