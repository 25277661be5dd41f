import { env, exports } from "cloudflare:workers";
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

export interface CallOptions {
  key?: string;
  token?: string;
  origin?: string;
  headers?: Record<string, string>;
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

/** A tRPC query over HTTP, through the Worker's own fetch entry point. */
export async function query<T = unknown>(path: string, input: unknown, options: CallOptions = {}) {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await exports.default.fetch(`https://api.test/trpc/${path}${search}`, {
    headers: headersFor(options),
  });
  return toResult<T>(response);
}

/** A tRPC mutation over HTTP, through the Worker's own fetch entry point. */
export async function mutate<T = unknown>(path: string, input: unknown, options: CallOptions = {}) {
  const response = await exports.default.fetch(`https://api.test/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headersFor(options) },
    body: JSON.stringify(input),
  });
  return toResult<T>(response);
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
  const tables = ["consent", "consent_state", "consent_history", "api_key", "signing_key"];
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
