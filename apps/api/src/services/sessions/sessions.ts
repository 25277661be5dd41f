import { and, eq, gt, isNull } from "drizzle-orm";
import { apiKey, consoleSession, tenant } from "../../db/schema";
import { randomToken } from "../../ids";
import type { Db } from "../context";
import { type AuthenticateResult, authenticate, credentialOf } from "../keys/authenticate";
import { hashKey } from "../keys/material";

/** A console session lasts a working day; signing in again starts a new one. */
export const SESSION_TTL_MS = 8 * 3600_000;

export type SignInResult =
  | { ok: true; token: string; expiresAt: number; tenantName: string; keyPrefix: string }
  | { ok: false; message: string };

/**
 * Exchanges an admin secret key for a console session. Only a secret key with the `admin`
 * scope may sign in; the answer's token goes into an HttpOnly cookie and is stored hashed.
 */
export async function signIn({
  db,
  input,
  now,
}: {
  db: Db;
  input: { key: string };
  now: number;
}): Promise<SignInResult> {
  const auth = await authenticate({ db, input, now });
  if (!auth.ok) return auth;
  const { credential } = auth;
  if (credential.kind !== "secret" || !credential.scopes.includes("admin")) {
    return { ok: false, message: "Sign in with a secret key that has the admin scope." };
  }
  const token = randomToken(43);
  const expiresAt = now + SESSION_TTL_MS;
  await db.insert(consoleSession).values({
    id: await hashKey(token),
    tenantId: credential.tenantId,
    keyId: credential.keyId,
    createdAt: now,
    expiresAt,
  });
  const about = await db
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

/** The credential behind a live session: the session and its key must both still be valid. */
export async function authenticateSession({
  db,
  input,
  now,
}: {
  db: Db;
  input: { token: string };
  now: number;
}): Promise<AuthenticateResult & { tenantName?: string; expiresAt?: number }> {
  if (!/^[0-9a-z]{43}$/.test(input.token)) return { ok: false, message: "Not a console session." };
  const found = await db
    .select({
      key: apiKey,
      corsOrigins: tenant.corsOrigins,
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
        gt(consoleSession.expiresAt, now),
      ),
    )
    .get();
  if (!found) return { ok: false, message: "The console session has ended; sign in again." };
  return { ...credentialOf(found, now), tenantName: found.tenantName, expiresAt: found.expiresAt };
}

/** Ends a session at once (sign-out). */
export async function signOut({
  db,
  input,
  now,
}: {
  db: Db;
  input: { token: string };
  now: number;
}) {
  await db
    .update(consoleSession)
    .set({ revokedAt: now })
    .where(
      and(eq(consoleSession.id, await hashKey(input.token)), isNull(consoleSession.revokedAt)),
    );
}
