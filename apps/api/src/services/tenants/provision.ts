// Imported by the Node CLIs too (type stripping): erasable TypeScript, and no dependency
// beyond the key material.
import { newId } from "../../ids.ts";
import { generateKey, generateSigningKey, SCOPES } from "../keys/material.ts";

export interface ConsentSeed {
  key: string;
  kind: "opt_in" | "legal_basis";
  title: string;
  description: string;
  entryEvents: string[];
  /** A configured policy; `enabled` also activates it at `now` (R7). */
  expiry?: { days: number; extendOn: string[]; enabled?: boolean };
}

/**
 * The demo tenant's catalogue (`pnpm dev`, the browser tests, the benchmarks): two opt-ins and
 * the seed's "order" legal basis, entered again by `order_placed`, all with expiry active.
 */
export const DEMO_CATALOGUE: ConsentSeed[] = [
  {
    key: "newsletter",
    kind: "opt_in",
    title: "Newsletter",
    description: "News and offers by email.",
    entryEvents: [],
    expiry: {
      days: 365,
      extendOn: ["email_clicked", "order_placed", "consent_accepted"],
      enabled: true,
    },
  },
  {
    key: "sms",
    kind: "opt_in",
    title: "SMS offers",
    description: "Offers by text message.",
    entryEvents: [],
    expiry: { days: 180, extendOn: ["sms_clicked", "order_placed"], enabled: true },
  },
  {
    key: "order",
    kind: "legal_basis",
    title: "Customer relationship (orders)",
    description: "Legitimate interest after an order, GDPR art. 6(1)(f).",
    entryEvents: ["order_placed"],
    expiry: { days: 1095, extendOn: ["order_placed", "account_upserted"], enabled: true },
  },
];

export interface ProvisionInput {
  name: string;
  now: number;
  corsOrigins?: string[];
  consents?: ConsentSeed[];
  /** The number of data shards it spans (a power of two); 1 by default (docs/scaling.md). */
  shards?: number;
  /** The D1 jurisdiction its shards must be in; any shard when absent. */
  jurisdiction?: Jurisdiction;
}

/** D1's answer when the placement found fewer shards than asked (see `placement`). */
export const NOT_ENOUGH_SHARDS = /NOT NULL constraint failed: tenant_shard\.shard/;

/**
 * The statements that place a tenant on the `shards` least-filled data shards of its
 * jurisdiction (by the size D1 last reported, then by tenants placed, then by number): one
 * slot per shard, slot 0 on the emptiest. When the shard map has fewer such shards, the second
 * statement inserts a slot with no shard and the whole batch fails (NOT_ENOUGH_SHARDS).
 */
function placement(tenantId: string, shards: number, jurisdiction: string | null) {
  const params: [string] = [JSON.stringify({ tenant: tenantId, shards, jurisdiction })];
  return [
    {
      sql: `INSERT INTO tenant_shard (tenant_id, slot, shard)
        SELECT ?1 ->> '$.tenant', row_number() OVER (ORDER BY bytes, placed, num) - 1, num
        FROM (SELECT s.num, s.bytes, (SELECT count(*) FROM tenant_shard WHERE shard = s.num) AS placed
          FROM shard AS s WHERE s.jurisdiction IS (?1 ->> '$.jurisdiction'))
        ORDER BY bytes, placed, num LIMIT (?1 ->> '$.shards')`,
      params,
    },
    {
      sql: `INSERT INTO tenant_shard (tenant_id, slot, shard)
        SELECT ?1 ->> '$.tenant', -1, NULL
        WHERE (SELECT count(*) FROM tenant_shard WHERE tenant_id = ?1 ->> '$.tenant') < (?1 ->> '$.shards')`,
      params,
    },
  ];
}

/** The D1 jurisdictions a shard may be created in, and a tenant pinned to. */
export type Jurisdiction = "eu" | "us";

/** A CLI's `--jurisdiction` value, or why it is not one. */
export function parseJurisdiction(
  value: string | undefined,
): { ok: true; jurisdiction: Jurisdiction | undefined } | { ok: false; message: string } {
  return value === undefined || value === "eu" || value === "us"
    ? { ok: true, jurisdiction: value }
    : { ok: false, message: `--jurisdiction ${value}: D1 jurisdictions are eu and us` };
}

/** Why a shard count is refused, or null when it is a power of two from 1 to 1024. */
export function shardCountProblem(shards: number): string | null {
  return Number.isInteger(shards) && shards >= 1 && shards <= 1024 && (shards & (shards - 1)) === 0
    ? null
    : `a tenant spans a power of two of shards (1, 2, 4, …, 1024), not ${shards}`;
}

/** What the operator is shown once: none of the secrets can be read back later. */
export interface ProvisionedSecrets {
  tenantId: string;
  name: string;
  secretKey: string;
  publishableKey: string;
  signingKid: string;
  signingSecret: string;
}

/**
 * One statement and its one parameter, a JSON array of rows read with `json_each(?)`. A JSON
 * text keeps numbers and nulls typed, and one string parameter is all that both a D1 binding
 * (`prepare(sql).bind(...params)`) and the D1 REST API (whose parameters are strings) need.
 */
export interface ProvisionStatement {
  sql: string;
  params: [string];
}

type Row = Record<string, string | number | null>;

/**
 * Inserts `rows` (at least one, all of the same shape) into `table`. Only the column names,
 * this file's own literals, are part of the SQL text. `numbered` tables (tenant, consent) get
 * their `num` in the same statement: the next numbers after the table's largest.
 */
function insertRows(
  table: string,
  rows: [Row, ...Row[]],
  options: { numbered?: boolean } = {},
): ProvisionStatement {
  const columns = Object.keys(rows[0]);
  const values = columns.map((c) => `value ->> '${c}'`);
  if (options.numbered) {
    columns.push("num");
    values.push(`(SELECT coalesce(max(num), 0) FROM ${table}) + row_number() OVER (ORDER BY key)`);
  }
  return {
    sql: `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values.join(", ")} FROM json_each(?)`,
    params: [JSON.stringify(rows)],
  };
}

/**
 * A new tenant as bound SQL statements, to run in order as one batch: the tenant, its placement
 * on the data shards, one secret key with every scope, one publishable key, one signing key and optional seed consents. The
 * same statements serve `tenant:create` (local or remote), `pnpm dev`, the browser tests, the
 * bench and the API's tests.
 */
export async function provisionTenant(
  input: ProvisionInput,
): Promise<{ statements: ProvisionStatement[]; secrets: ProvisionedSecrets }> {
  const problem = shardCountProblem(input.shards ?? 1);
  if (problem !== null) {
    throw new Error(problem);
  }
  const tenantId = newId("ten");
  const secret = await generateKey("secret");
  const publishable = await generateKey("publishable");
  const signing = generateSigningKey();
  const consents = (input.consents ?? []).map((c) => ({ id: newId("con"), seed: c }));
  const statements = [
    insertRows(
      "tenant",
      [
        {
          id: tenantId,
          name: input.name,
          cors_origins: JSON.stringify(input.corsOrigins ?? []),
          jurisdiction: input.jurisdiction ?? null,
          created_at: input.now,
        },
      ],
      { numbered: true },
    ),
    ...placement(tenantId, input.shards ?? 1, input.jurisdiction ?? null),
    insertRows("api_key", [
      {
        id: secret.id,
        tenant_id: tenantId,
        kind: "secret",
        scopes: JSON.stringify(SCOPES),
        name: "Back end (all scopes)",
        prefix: secret.prefix,
        hash: secret.hash,
        created_at: input.now,
      },
      {
        id: publishable.id,
        tenant_id: tenantId,
        kind: "publishable",
        scopes: "[]",
        name: "Storefront",
        prefix: publishable.prefix,
        hash: publishable.hash,
        created_at: input.now,
      },
    ]),
    insertRows("signing_key", [
      { id: signing.id, tenant_id: tenantId, secret: signing.secret, created_at: input.now },
    ]),
  ];
  const [first, ...rest] = consents;
  if (first) {
    const consentRow = ({ id, seed: c }: (typeof consents)[number]): Row => ({
      id,
      tenant_id: tenantId,
      key: c.key,
      kind: c.kind,
      title: c.title,
      description: c.description,
      version: 1,
      entry_events: JSON.stringify(c.entryEvents),
      expiry_days: c.expiry?.days ?? null,
      expiry_extend_on: JSON.stringify(c.expiry?.extendOn ?? []),
      expiry_enabled: c.expiry?.enabled ? 1 : 0,
      expiry_activated_at: c.expiry?.enabled ? input.now : null,
      created_at: input.now,
      updated_at: input.now,
    });
    const versionRow = ({ id, seed: c }: (typeof consents)[number]): Row => ({
      tenant_id: tenantId,
      consent_id: id,
      version: 1,
      title: c.title,
      description: c.description,
      created_at: input.now,
    });
    statements.push(
      insertRows("consent", [consentRow(first), ...rest.map(consentRow)], { numbered: true }),
      insertRows("consent_version", [versionRow(first), ...rest.map(versionRow)]),
    );
  }
  return {
    statements,
    secrets: {
      tenantId,
      name: input.name,
      secretKey: secret.plaintext,
      publishableKey: publishable.plaintext,
      signingKid: signing.id,
      signingSecret: signing.secret,
    },
  };
}
