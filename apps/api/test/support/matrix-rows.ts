import { env } from "cloudflare:workers";
import { snapshot } from "./db.ts";

/**
 * One row per tRPC procedure for the authorization matrix (authz-matrix.test.ts): a minimal
 * valid input naming this tenant's own data, and what another tenant's key gets for it.
 * The matrix iterates the router, so a procedure added without a row here fails the test.
 */

/** The data of one tenant a procedure's input can name (R12: no input names a tenant). */
export interface TenantIds {
  /** A profile with accepted states and a proof trail. */
  profileId: string;
  /** A live opt-in consent with a configured, disabled expiry policy. */
  consent: string;
  /** A live publishable key other than the tenant's own. */
  keyId: string;
  /** An expiry run triggered for this tenant. */
  runId: string;
}

export interface MatrixRow {
  type: "query" | "mutation";
  /** A valid input; with this tenant's ids and a key holding the scope, the call succeeds. */
  input: (ids: TenantIds) => unknown;
  /**
   * The status another tenant's secret key (every scope) gets with this tenant's ids, when its
   * catalogue shares no key with this tenant's: 404/400 as for ids that exist nowhere, or 200
   * with an answer about its own (empty) data.
   */
  crossTenant: 200 | 400 | 404;
  /**
   * Queries only: the status when the other tenant's catalogue has the same consent keys (the
   * answer is then about the other tenant's own consent of that key).
   */
  crossTenantSameKeys?: 200 | 400 | 404;
  /**
   * The input names none of this tenant's data, so with another tenant's key the call acts
   * on that tenant's own data: it may write there (never here).
   */
  writesOwnTenant?: true;
  /** For a 200 to another tenant: true when the answer shows none of the profile's data. */
  showsNothing?: (data: unknown) => boolean;
}

const now = () => new Date().toISOString();
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString();

const everyStatusUnknown = (data: unknown) =>
  (data as { consents: { status: string }[] }).consents.every((c) => c.status === "unknown");
const noItems = (data: unknown) => (data as { items: unknown[] }).items.length === 0;
const noEntries = (data: unknown) => (data as { entries: number }).entries === 0;
const noProblems = (data: unknown) => (data as { problems: unknown[] }).problems.length === 0;

export const MATRIX_ROWS: Record<string, MatrixRow> = {
  "catalog.list": {
    type: "query",
    input: () => undefined,
    crossTenant: 200,
    crossTenantSameKeys: 200,
  },

  "profile.get": {
    type: "query",
    input: (ids) => ({ profileId: ids.profileId }),
    crossTenant: 200,
    crossTenantSameKeys: 200,
    showsNothing: everyStatusUnknown,
  },
  "profile.update": {
    type: "mutation",
    input: (ids) => ({
      profileId: ids.profileId,
      changes: [{ consent: ids.consent, status: "refused" }],
    }),
    crossTenant: 400,
  },
  "profile.history": {
    type: "query",
    input: (ids) => ({ profileId: ids.profileId, limit: 10 }),
    crossTenant: 200,
    crossTenantSameKeys: 200,
    showsNothing: noItems,
  },

  "events.track": {
    type: "mutation",
    input: (ids) => ({
      events: [{ profileId: ids.profileId, type: "email_clicked", occurredAt: now() }],
    }),
    // Events for a profile with no accepted state change nothing (R5).
    crossTenant: 200,
  },

  "admin.consents.list": {
    type: "query",
    input: () => ({ includeArchived: true }),
    crossTenant: 200,
    crossTenantSameKeys: 200,
  },
  "admin.consents.create": {
    type: "mutation",
    input: () => ({ key: "matrix-new", kind: "opt_in", title: "Matrix" }),
    crossTenant: 200,
    writesOwnTenant: true,
  },
  "admin.consents.update": {
    type: "mutation",
    input: (ids) => ({ key: ids.consent, title: "Renamed by the matrix" }),
    crossTenant: 404,
  },
  "admin.consents.archive": {
    type: "mutation",
    input: (ids) => ({ key: ids.consent }),
    crossTenant: 404,
  },

  "admin.expiry.configure": {
    type: "mutation",
    input: (ids) => ({ consent: ids.consent, days: 30 }),
    crossTenant: 404,
  },
  "admin.expiry.activate": {
    type: "mutation",
    input: (ids) => ({ consent: ids.consent }),
    crossTenant: 404,
  },
  "admin.expiry.deactivate": {
    type: "mutation",
    input: (ids) => ({ consent: ids.consent }),
    crossTenant: 404,
  },
  "admin.expiry.reconfigure": {
    type: "mutation",
    input: (ids) => ({ consent: ids.consent, days: 90, extendOn: ["email_clicked"] }),
    crossTenant: 404,
  },
  "admin.expiry.forecast": {
    type: "query",
    input: (ids) => ({ consent: ids.consent, horizonDays: 30 }),
    crossTenant: 404,
    crossTenantSameKeys: 200,
  },
  "admin.expiry.upcoming": {
    type: "query",
    input: (ids) => ({ consent: ids.consent, withinDays: 366 }),
    crossTenant: 404,
    crossTenantSameKeys: 200,
  },
  "admin.expiry.preview": {
    type: "query",
    input: (ids) => ({ consent: ids.consent, days: 30, extendOn: [], horizonDays: 30 }),
    crossTenant: 404,
    crossTenantSameKeys: 200,
  },

  "admin.runs.list": {
    type: "query",
    input: () => ({ limit: 100 }),
    crossTenant: 200,
    crossTenantSameKeys: 200,
  },
  "admin.runs.get": {
    type: "query",
    input: (ids) => ({ id: ids.runId }),
    crossTenant: 404,
    crossTenantSameKeys: 404,
  },
  "admin.settings.get": {
    type: "query",
    input: () => undefined,
    crossTenant: 200,
    crossTenantSameKeys: 200,
  },
  "admin.settings.update": {
    type: "mutation",
    input: () => ({ minSecondsAfterSend: 10 }),
    crossTenant: 200,
    writesOwnTenant: true,
  },
  "admin.runs.health": {
    type: "query",
    input: () => undefined,
    crossTenant: 200,
    crossTenantSameKeys: 200,
  },
  "admin.runs.trigger": {
    type: "mutation",
    input: () => ({ asOf: yesterday() }),
    crossTenant: 200,
    writesOwnTenant: true,
  },

  "admin.changes.list": {
    type: "query",
    input: () => ({ limit: 1000 }),
    crossTenant: 200,
    crossTenantSameKeys: 200,
    showsNothing: noItems,
  },

  "admin.profiles.import": {
    type: "mutation",
    input: (ids) => ({
      items: [
        { profileId: ids.profileId, consent: ids.consent, status: "refused", changedAt: now() },
      ],
    }),
    crossTenant: 400,
  },
  // R13: another tenant's key finds no such profile in its own tenant.
  "admin.profiles.erase": {
    type: "mutation",
    input: (ids) => ({ profileId: ids.profileId, reason: "ticket 42" }),
    crossTenant: 404,
  },
  // The tamper-evident history (R11).
  "admin.profiles.verify": {
    type: "query",
    input: (ids) => ({ profileId: ids.profileId }),
    crossTenant: 200,
    crossTenantSameKeys: 200,
    showsNothing: (data) => noEntries(data) && noProblems(data),
  },
  // A profile the caller's tenant never saw has no proof document: 404, as for any unknown id.
  "admin.profiles.proof": {
    type: "query",
    input: (ids) => ({ profileId: ids.profileId }),
    crossTenant: 404,
    crossTenantSameKeys: 404,
  },
  // The log's own endpoints answer about the caller's tenant only (its own checkpoint).
  "admin.proof.checkpoint": {
    type: "query",
    input: () => undefined,
    crossTenant: 200,
    crossTenantSameKeys: 200,
    showsNothing: (data) => (data as { treeSize: number }).treeSize === 0,
  },
  // Another tenant's log is empty: a proof from size 1 is beyond it.
  "admin.proof.consistency": {
    type: "query",
    input: () => ({ from: 1 }),
    crossTenant: 400,
    crossTenantSameKeys: 400,
  },

  "admin.keys.create": {
    type: "mutation",
    input: () => ({ kind: "publishable", name: "Matrix" }),
    crossTenant: 200,
    writesOwnTenant: true,
  },
  "admin.keys.list": {
    type: "query",
    input: () => undefined,
    crossTenant: 200,
    crossTenantSameKeys: 200,
  },
  "admin.keys.revoke": {
    type: "mutation",
    input: (ids) => ({ id: ids.keyId }),
    crossTenant: 404,
  },
};

/** Tables that hold a tenant's rows, found from the live schema so a new table is covered. */
let tenantTables: Promise<string[]> | undefined;

function tablesWithTenantId(): Promise<string[]> {
  tenantTables ??= env.DB.prepare(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
  )
    .all<{ name: string; sql: string }>()
    .then(({ results }) =>
      results.filter((t) => /[`"\s(]tenant_id[`"\s]/.test(t.sql)).map((t) => t.name),
    );
  return tenantTables;
}

/**
 * Every row a tenant owns, in every control table with a `tenant_id` (runs included), its
 * `tenant` row and its rows on each of its data shards, as one string: equal strings, nothing
 * written.
 */
export async function tenantRows(tenantId: string): Promise<string> {
  const tables = await tablesWithTenantId();
  const statements = [
    env.DB.prepare("SELECT * FROM tenant WHERE id = ?").bind(tenantId),
    ...tables.map((table) =>
      env.DB.prepare(
        // tenant_shard has three columns; every other table at least four.
        `SELECT * FROM ${table} WHERE tenant_id = ? ORDER BY ${table === "tenant_shard" ? "1, 2" : "1, 2, 3, 4"}`,
      ).bind(tenantId),
    ),
  ];
  const results = await env.DB.batch(statements);
  return JSON.stringify([
    ...results.map((r, i) => [i === 0 ? "tenant" : tables[i - 1], r.results]),
    // Its data on every shard it spans.
    await snapshot(tenantId),
  ]);
}
