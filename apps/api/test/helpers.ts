import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { generateKey, type KeyKind, type Scope } from "../src/services/keys/material";
import { type ConsentSeed, provisionTenant } from "../src/services/tenants/provision";

let counter = 0;

/** A fresh tenant with unique names, its keys and signing secret, and optional consents. */
export async function createTenant(
  overrides: { name?: string; corsOrigins?: string[]; consents?: ConsentSeed[] } = {},
) {
  counter += 1;
  const { statements, secrets } = await provisionTenant({
    name: overrides.name ?? `Tenant ${counter} ${crypto.randomUUID()}`,
    now: Date.now(),
    corsOrigins: overrides.corsOrigins ?? [],
    consents: overrides.consents ?? [],
  });
  await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
  return secrets;
}
export type TestTenant = Awaited<ReturnType<typeof createTenant>>;

/** A catalogue like the demo tenant's: two opt-ins and the seed's "order" legal basis. */
export const DEMO_CONSENTS: ConsentSeed[] = [
  {
    key: "newsletter",
    kind: "opt_in",
    title: "Newsletter",
    description: "News and offers by email.",
    entryEvents: [],
    expiry: { days: 365, extendOn: ["email_clicked", "order_placed", "consent_accepted"] },
  },
  {
    key: "sms",
    kind: "opt_in",
    title: "SMS offers",
    description: "Offers by text message.",
    entryEvents: [],
    expiry: { days: 180, extendOn: ["sms_clicked"] },
  },
  {
    key: "order",
    kind: "legal_basis",
    title: "Customer relationship (orders)",
    description: "Legitimate interest after an order, GDPR art. 6(1)(f).",
    entryEvents: ["order_placed"],
    expiry: { days: 1095, extendOn: ["order_placed", "account_upserted"] },
  },
];

/** Anything with the Worker's fetch signature, e.g. `createApp({ now, rateLimiter })`. */
export interface FetchApp {
  fetch(request: Request, env: Env): Response | Promise<Response>;
}

export interface CallOptions {
  key?: string;
  token?: string;
  origin?: string;
  headers?: Record<string, string>;
  /** Another app than the Worker's default export (a fake clock or rate limiter). */
  app?: FetchApp;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
  error: {
    message: string;
    data: {
      code: string;
      httpStatus: number;
      requestId: string;
      issues: { path: string; message: string }[];
    };
  } | null;
  body: unknown;
}

function headersFor(options: CallOptions): Record<string, string> {
  return {
    ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
    ...(options.token ? { "X-Lapse-Profile-Token": options.token } : {}),
    ...(options.origin ? { Origin: options.origin } : {}),
    ...options.headers,
  };
}

async function toResult<T>(response: Response): Promise<CallResult<T>> {
  const body = (await response.json()) as {
    result?: { data: T };
    error?: CallResult["error"];
  };
  return {
    status: response.status,
    headers: response.headers,
    data: body.result?.data as T,
    error: body.error ?? null,
    body,
  };
}

/** Sends a request to the Worker's own fetch entry point, or to `app` when given. */
export async function send(request: Request, app?: FetchApp): Promise<Response> {
  return app ? app.fetch(request, env) : exports.default.fetch(request);
}

/** A tRPC query over HTTP, through the Worker's own fetch entry point. */
export async function query<T = unknown>(path: string, input: unknown, options: CallOptions = {}) {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const request = new Request(`https://api.test/trpc/${path}${search}`, {
    headers: headersFor(options),
  });
  return toResult<T>(await send(request, options.app));
}

/** A tRPC mutation over HTTP, through the Worker's own fetch entry point. */
export async function mutate<T = unknown>(path: string, input: unknown, options: CallOptions = {}) {
  const request = new Request(`https://api.test/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headersFor(options) },
    body: JSON.stringify(input),
  });
  return toResult<T>(await send(request, options.app));
}

/** A query or a mutation, as the procedure is declared. */
export function call<T = unknown>(
  type: "query" | "mutation",
  path: string,
  input: unknown,
  options: CallOptions = {},
) {
  return type === "query" ? query<T>(path, input, options) : mutate<T>(path, input, options);
}

function base64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return btoa(String.fromCharCode(...raw))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** A JWT with any header: the tests forge tokens the API must refuse. */
export async function jwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | null,
): Promise<string> {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  if (secret === null) return `${signingInput}.`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

/** A profile token as a brand's back end would mint it (valid for one hour unless told). */
export function profileToken(
  tenant: TestTenant,
  profileId: string,
  overrides: { secret?: string; kid?: string; exp?: number } = {},
): Promise<string> {
  return jwt(
    { alg: "HS256", typ: "JWT", kid: overrides.kid ?? tenant.signingKid },
    { sub: profileId, exp: overrides.exp ?? Math.floor(Date.now() / 1000) + 3600 },
    overrides.secret ?? tenant.signingSecret,
  );
}

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

/** Asserts a tRPC error's HTTP status and our own code; returns the error for more checks. */
export function expectError(result: CallResult, httpStatus: number, code: string) {
  expect(result.error?.data.code, JSON.stringify(result.body)).toBe(code);
  expect(result.status).toBe(httpStatus);
  expect(result.error?.data.httpStatus).toBe(httpStatus);
  if (result.error === null) throw new Error("expected an error");
  return result.error;
}

/** Asserts a 200 and returns the data. */
export function expectOk<T>(result: CallResult<T>): T {
  expect(result.error, JSON.stringify(result.body)).toBeNull();
  expect(result.status).toBe(200);
  return result.data;
}

export const DAY_MS = 86_400_000;

/** An ISO instant `days` days before `from` (negative: after). */
export function daysAgo(days: number, from = Date.now()): string {
  return new Date(from - days * DAY_MS).toISOString();
}

/** The UTC day (`YYYY-MM-DD`) `offset` days after today (R1). */
export function dayText(offset = 0, from = Date.now()): string {
  return new Date(from + offset * DAY_MS).toISOString().slice(0, 10);
}

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
      JSON.stringify(options.scopes ?? (kind === "secret" ? ["admin", "profiles", "events"] : [])),
      "test key",
      key.prefix,
      key.hash,
      Date.now() - DAY_MS,
      options.expiresAt ?? null,
      options.revokedAt ?? null,
    )
    .run();
  return { id: key.id, key: key.plaintext };
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

/** The id of a tenant's consent, for rows written straight into D1. */
export async function consentId(tenantId: string, key: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM consent WHERE tenant_id = ? AND key = ?")
    .bind(tenantId, key)
    .first<{ id: string }>();
  if (!row) throw new Error(`no consent ${key}`);
  return row.id;
}

/** A consent_state row written straight into D1 (e.g. a state the nightly run lapsed). */
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
  await env.DB.prepare(
    `INSERT INTO consent_state (tenant_id, profile_id, consent_id, status, status_changed_at,
      last_activity_day, last_activity_source, expired_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      tenantId,
      state.profileId,
      await consentId(tenantId, state.consent),
      state.status,
      state.statusChangedAt,
      state.lastActivityDay ?? null,
      state.lastActivityDay === undefined || state.lastActivityDay === null ? null : "accepted",
      state.expiredAt ?? null,
    )
    .run();
}

/** The epoch day of an instant (R1: UTC days). */
export function epochDay(at: number): number {
  return Math.floor(at / DAY_MS);
}
