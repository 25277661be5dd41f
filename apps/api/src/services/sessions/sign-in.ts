import { eq } from "drizzle-orm";
import { apiKey, consoleSession, tenant } from "../../db/schema.ts";
import { randomToken } from "../../ids.ts";
import type { UnscopedContext } from "../context.ts";
import { authenticateKey } from "../keys/authenticate-key.ts";
import { hashKey } from "../keys/material.ts";
import { SESSION_TOKEN_LENGTH, SESSION_TTL_MS } from "./session-token.ts";

export type SignInResult =
  | { ok: true; token: string; expiresAt: number; tenantName: string; keyPrefix: string }
  | { ok: false; message: string };

/**
 * Exchanges an admin secret key for a console session. Only a secret key with the `admin`
 * scope may sign in; the answer's token goes into an HttpOnly cookie and is stored hashed.
 */
export async function signIn({
  ctx,
  input,
}: {
  ctx: UnscopedContext;
  input: { key: string };
}): Promise<SignInResult> {
  const auth = await authenticateKey({ ctx, input });
  if (!auth.ok) {
    return auth;
  }
  const { credential } = auth;
  if (credential.kind !== "secret" || !credential.scopes.includes("admin")) {
    return { ok: false, message: "Sign in with a secret key that has the admin scope." };
  }
  const token = randomToken(SESSION_TOKEN_LENGTH);
  const expiresAt = ctx.now + SESSION_TTL_MS;
  await ctx.db.insert(consoleSession).values({
    id: await hashKey(token),
    tenantId: credential.tenantId,
    keyId: credential.keyId,
    createdAt: ctx.now,
    expiresAt,
  });
  const about = await ctx.db
    .select({ name: tenant.name, prefix: apiKey.prefix })
    .from(apiKey)
    .innerJoin(tenant, eq(tenant.id, apiKey.tenantId))
    .where(eq(apiKey.id, credential.keyId))
    .get();
  return {
    ok: true,
    token,
    expiresAt,
    tenantName: about?.name ?? "",
    keyPrefix: about?.prefix ?? "",
  };
}
