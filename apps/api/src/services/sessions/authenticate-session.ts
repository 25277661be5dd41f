import { and, eq, gt, isNull } from "drizzle-orm";
import { apiKey, consoleSession, tenant } from "../../db/schema.ts";
import type { UnscopedContext } from "../context.ts";
import {
  type AuthenticateResult,
  credentialOf,
  tenantShardsSql,
} from "../keys/authenticate-key.ts";
import { hashKey } from "../keys/material.ts";
import { isSessionToken } from "./session-token.ts";

/** The credential behind a live session: the session and its key must both still be valid. */
export async function authenticateSession({
  ctx,
  input,
}: {
  ctx: UnscopedContext;
  input: { token: string };
}): Promise<AuthenticateResult & { tenantName?: string; expiresAt?: number }> {
  if (!isSessionToken(input.token)) {
    return { ok: false, message: "Not a console session." };
  }
  const found = await ctx.db
    .select({
      key: apiKey,
      corsOrigins: tenant.corsOrigins,
      tenantNum: tenant.num,
      resharding: tenant.reshardingSince,
      shards: tenantShardsSql(consoleSession.tenantId),
      tenantName: tenant.name,
      expiresAt: consoleSession.expiresAt,
    })
    .from(consoleSession)
    .innerJoin(apiKey, eq(apiKey.id, consoleSession.keyId))
    .innerJoin(tenant, eq(tenant.id, consoleSession.tenantId))
    .where(
      and(
        eq(consoleSession.id, await hashKey(input.token)),
        isNull(consoleSession.revokedAt),
        gt(consoleSession.expiresAt, ctx.now),
      ),
    )
    .get();
  if (!found) {
    return { ok: false, message: "The console session has ended; sign in again." };
  }
  return {
    ...credentialOf(found, ctx.now),
    tenantName: found.tenantName,
    expiresAt: found.expiresAt,
  };
}
