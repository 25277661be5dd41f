import { env } from "cloudflare:workers";
import { MS_PER_DAY, SCOPES, type Scope } from "@lapse/consent";
import { generateKey, type KeyKind } from "../../src/services/keys/material.ts";
import {
  type ConsentSeed,
  DEMO_CATALOGUE,
  provisionTenant,
} from "../../src/services/tenants/provision.ts";
import { placementOf, shardOf } from "./shards.ts";

let counter = 0;

/** A fresh tenant with unique names, its keys and signing secret, and optional consents. */
export async function createTenant(
  overrides: {
    name?: string;
    corsOrigins?: string[];
    consents?: ConsentSeed[];
    /** Data shards it spans; 1 by default (placed on the least-filled one of the two). */
    shards?: number;
  } = {},
) {
  counter += 1;
  const { statements, secrets } = await provisionTenant({
    name: overrides.name ?? `Tenant ${counter} ${crypto.randomUUID()}`,
    now: Date.now(),
    corsOrigins: overrides.corsOrigins ?? [],
    consents: overrides.consents ?? [],
    ...(overrides.shards === undefined ? {} : { shards: overrides.shards }),
  });
  await env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...s.params)));
  return secrets;
}
export type TestTenant = Awaited<ReturnType<typeof createTenant>>;

/**
 * The demo catalogue (`pnpm dev`'s: two opt-ins and the seed's "order" legal basis) with each
 * expiry policy configured but off, so that a test activates what it exercises, when it wants.
 */
export const DEMO_CONSENTS: ConsentSeed[] = DEMO_CATALOGUE.map((seed) => ({
  ...seed,
  ...(seed.expiry ? { expiry: { ...seed.expiry, enabled: false } } : {}),
}));

/** A key inserted straight into D1, for states the API cannot create (revoked, expired). */
export async function insertKey(
  tenant: TestTenant,
  options: {
    kind?: KeyKind;
    scopes?: Scope[];
    expiresAt?: number | null;
    revokedAt?: number | null;
  } = {},
) {
  const kind = options.kind ?? "secret";
  const key = await generateKey(kind);
  await env.DB.prepare(
    `INSERT INTO api_key (id, tenant_id, kind, scopes, name, prefix, hash, created_at, expires_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      key.id,
      tenant.tenantId,
      kind,
      JSON.stringify(options.scopes ?? (kind === "secret" ? SCOPES : [])),
      "test key",
      key.prefix,
      key.hash,
      Date.now() - MS_PER_DAY,
      options.expiresAt ?? null,
      options.revokedAt ?? null,
    )
    .run();
  return { id: key.id, key: key.plaintext };
}

/** The id of a tenant's consent, for rows written straight into D1. */
export async function consentId(tenantId: string, key: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM consent WHERE tenant_id = ? AND key = ?")
    .bind(tenantId, key)
    .first<{ id: string }>();
  if (!row) {
    throw new Error(`no consent ${key}`);
  }
  return row.id;
}

/**
 * A state written straight into the profile's data shard (e.g. a state the nightly run lapsed), with the profile
 * row it needs. No log entry: the state is what an insider or an old run left.
 */
export async function insertState(
  tenantId: string,
  state: {
    profileId: string;
    consent: string;
    status: "accepted" | "refused" | "unknown";
    statusChangedAt: number;
    lastActivityDay?: number | null;
    expiredAt?: number | null;
  },
) {
  const { num } = await placementOf(tenantId);
  const consent = await env.DB.prepare("SELECT num FROM consent WHERE tenant_id = ?1 AND id = ?2")
    .bind(tenantId, await consentId(tenantId, state.consent))
    .first<{ num: number }>();
  const shard = await shardOf(tenantId, state.profileId);
  await shard.batch([
    shard
      .prepare(
        `INSERT INTO profile (tenant, external_id, salt) VALUES (?1, ?2, randomblob(32))
         ON CONFLICT (tenant, external_id) DO NOTHING`,
      )
      .bind(num, state.profileId),
    shard
      .prepare(
        `INSERT INTO state (profile, consent, status, changed_at, activity_day, source, expired_at)
       VALUES ((SELECT id FROM profile WHERE tenant = ?1 AND external_id = ?2), ?3,
         (SELECT code FROM status_code WHERE name = ?4), ?5, ?6, ?7, ?8)`,
      )
      .bind(
        num,
        state.profileId,
        consent?.num ?? null,
        state.status,
        state.statusChangedAt,
        state.lastActivityDay ?? null,
        // The acceptance itself (source 0) last extended it.
        state.lastActivityDay === undefined || state.lastActivityDay === null ? null : 0,
        state.expiredAt ?? null,
      ),
  ]);
}
