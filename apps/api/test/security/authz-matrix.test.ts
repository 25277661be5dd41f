import { env } from "cloudflare:workers";
import type { Scope } from "@lapse/consent";
import { afterAll, describe, expect, it } from "vitest";
import { slotOf } from "../../src/services/shards/route.ts";
import type { ConsentSeed } from "../../src/services/tenants/provision.ts";
import { appRouter } from "../../src/trpc/router.ts";
import { createTenant, DEMO_CONSENTS, insertKey, type TestTenant } from "../support/factories.ts";
import { type CallOptions, type CallResult, call, expectOk, mutate } from "../support/http.ts";
import { MATRIX_ROWS, type MatrixRow, type TenantIds, tenantRows } from "../support/matrix-rows.ts";
import { jwt, profileToken } from "../support/tokens.ts";

/**
 * Credentials and R12: every procedure of the router × every kind of wrong credential, through the
 * Worker's own fetch, with a before/after dump of every tenant involved.
 */

/** The router's procedures by dotted path (tRPC keeps them flat at runtime). */
const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string } }
>;
const paths = Object.keys(procedures).sort();

/** Who may call a procedure, from its path alone (docs/rules.md: credentials). */
type Access = "any-key" | "profile" | "events" | "admin";

function accessOf(path: string): { access: Access; scope: Scope | null } {
  const area = path.split(".")[0];
  if (area === "catalog") {
    return { access: "any-key", scope: null };
  }
  if (area === "profile") {
    return { access: "profile", scope: "profiles" };
  }
  if (area === "events") {
    return { access: "events", scope: "events" };
  }
  if (area === "admin") {
    return { access: "admin", scope: "admin" };
  }
  throw new Error(`No access class for '${path}': say in accessOf who may call '${area}.*'.`);
}

/** Everything a case needs: this tenant, two others, and keys and tokens of every kind. */
interface World {
  tenant: TestTenant;
  ids: TenantIds;
  /** Strings only this tenant's data holds: none may appear in another tenant's answer. */
  markers: string[];
  /** Another tenant whose catalogue shares no key with this one. */
  other: TestTenant;
  /** Another tenant with the same consent keys (the demo catalogue). */
  mirror: TestTenant;
  keys: { revoked: string; expired: string; missingScope: string; onlyScope: string };
  tokens: { otherProfile: string; expired: string; forged: string; algNone: string; own: string };
}

const OTHER_CATALOGUE: ConsentSeed[] = [
  {
    key: "loyalty-club",
    kind: "opt_in",
    title: "Loyalty club",
    description: "Points and member offers.",
    entryEvents: [],
    expiry: { days: 30, extendOn: ["loyalty_page_visited"] },
  },
];

const ALL_SCOPES: Scope[] = ["admin", "profiles", "events"];
const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

async function world(scope: Scope | null): Promise<World> {
  const marker = `only-this-tenant-${crypto.randomUUID()}`;
  // On both data shards (SPEC §6): R12 must hold across shards too.
  const tenant = await createTenant({
    consents: DEMO_CONSENTS.map((c) =>
      c.key === "newsletter" ? { ...c, description: `${c.description} ${marker}` } : c,
    ),
    shards: 2,
  });
  // A profile in the tenant's log 0, the log admin.proof.consistency reads by default.
  let profileId = `p-${crypto.randomUUID()}`;
  while (slotOf(tenant.tenantId, profileId, 2) !== 0) {
    profileId = `p-${crypto.randomUUID()}`;
  }
  expectOk(
    await mutate(
      "profile.update",
      {
        profileId,
        changes: [
          { consent: "newsletter", status: "accepted" },
          { consent: "sms", status: "accepted" },
        ],
      },
      { key: tenant.secretKey },
    ),
  );
  const run = expectOk(
    await mutate<{ id: string }>("admin.runs.trigger", undefined, { key: tenant.secretKey }),
  );
  const extra = await insertKey(tenant, { kind: "publishable" });
  const keys = {
    revoked: (await insertKey(tenant, { revokedAt: Date.now() - 1000 })).key,
    expired: (await insertKey(tenant, { expiresAt: Date.now() - 1000 })).key,
    missingScope: (await insertKey(tenant, { scopes: ALL_SCOPES.filter((s) => s !== scope) })).key,
    onlyScope: (await insertKey(tenant, { scopes: scope === null ? [] : [scope] })).key,
  };
  const tokens = {
    own: await profileToken(tenant, profileId),
    otherProfile: await profileToken(tenant, `${profileId}-someone-else`),
    expired: await profileToken(tenant, profileId, { exp: inSeconds(-60) }),
    forged: await profileToken(tenant, profileId, { secret: "not-the-signing-secret" }),
    algNone: await jwt(
      { alg: "none", typ: "JWT", kid: tenant.signingKid },
      { sub: profileId, exp: inSeconds(600) },
      null,
    ),
  };
  const owned = async (sql: string) =>
    (await env.DB.prepare(sql).bind(tenant.tenantId).all<{ id: string }>()).results.map(
      (r) => r.id,
    );
  const markers = [
    marker,
    tenant.tenantId,
    tenant.signingKid,
    run.id,
    profileId,
    ...(await owned("SELECT id FROM api_key WHERE tenant_id = ?")),
    ...(await owned("SELECT id FROM consent WHERE tenant_id = ?")),
  ];
  return {
    tenant,
    ids: { profileId, consent: "newsletter", keyId: extra.id, runId: run.id },
    markers,
    other: await createTenant({ consents: OTHER_CATALOGUE }),
    mirror: await createTenant({ consents: DEMO_CONSENTS, shards: 2 }),
    keys,
    tokens,
  };
}

/** Ids that exist in no tenant, in the same shapes as a tenant's. */
function ghostIds(): TenantIds {
  const token = crypto.randomUUID().replaceAll("-", "").slice(0, 20);
  return {
    profileId: `p-${crypto.randomUUID()}`,
    consent: `ghost-${token.slice(0, 8)}`,
    keyId: `key_${token}`,
    runId: `run_${token}`,
  };
}

interface Case {
  name: string;
  /** The credential of the call. */
  options: (w: World) => CallOptions;
  /** The expected status, or null when the case does not apply to this procedure. */
  expected: (access: Access, row: MatrixRow) => number | null;
  /** Which tenant the call may write to when it is allowed (control calls only). */
  mayWrite?: (row: MatrixRow) => "this" | "other" | null;
  /** The tenant the key belongs to, when not this one: its answer must show none of ours. */
  foreign?: "other" | "mirror";
}

const publishableCase = (name: string, token: (w: World) => string | undefined): Case => ({
  name,
  options: (w) => ({ key: w.tenant.publishableKey, token: token(w) }),
  expected: (access) => (access === "any-key" ? 200 : access === "profile" ? 401 : 403),
});

const CASES: Case[] = [
  { name: "no key", options: () => ({}), expected: () => 401 },
  publishableCase("publishable key without a profile token", () => undefined),
  {
    name: "publishable key with another profile's token",
    options: (w) => ({ key: w.tenant.publishableKey, token: w.tokens.otherProfile }),
    expected: (access) => (access === "any-key" ? 200 : 403),
  },
  publishableCase("publishable key with an expired token", (w) => w.tokens.expired),
  publishableCase("publishable key with a forged token", (w) => w.tokens.forged),
  publishableCase("publishable key with an alg:none token", (w) => w.tokens.algNone),
  {
    name: "secret key missing the required scope",
    options: (w) => ({ key: w.keys.missingScope }),
    expected: (access) => (access === "any-key" ? 200 : 403),
  },
  { name: "revoked secret key", options: (w) => ({ key: w.keys.revoked }), expected: () => 401 },
  { name: "expired secret key", options: (w) => ({ key: w.keys.expired }), expected: () => 401 },
  {
    name: "another tenant's secret key with this tenant's ids",
    options: (w) => ({ key: w.other.secretKey }),
    expected: (_, row) => row.crossTenant,
    mayWrite: (row) => (row.writesOwnTenant ? "other" : null),
    foreign: "other",
  },
  {
    name: "another tenant's secret key, same consent keys (reads)",
    options: (w) => ({ key: w.mirror.secretKey }),
    expected: (_, row) => (row.type === "query" ? (row.crossTenantSameKeys ?? null) : null),
    foreign: "mirror",
  },
  // Controls, last because they may write: the least credential that opens the procedure.
  {
    name: "control: publishable key with this profile's token",
    options: (w) => ({ key: w.tenant.publishableKey, token: w.tokens.own }),
    expected: (access) => (access === "profile" ? 200 : null),
    mayWrite: () => "this",
  },
  {
    name: "control: secret key holding only the required scope",
    options: (w) => ({ key: w.keys.onlyScope }),
    expected: () => 200,
    mayWrite: () => "this",
  },
];

const CODE_OF: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
};
const outcome = (status: number, code?: string) =>
  status < 300 ? String(status) : `${status} ${code ?? "?"}`;

/** An answer with the ids and instants taken out, to compare two answers' information. */
function normalised(result: CallResult, ids: TenantIds): string {
  let text = JSON.stringify({ status: result.status, body: result.body });
  for (const [name, value] of Object.entries(ids)) {
    text = text.replaceAll(value, `<${name}>`);
  }
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<instant>")
    .replace(/req_[0-9a-z]{20}/g, "<request>")
    .replace(/run_[0-9a-z]{20}/g, "<run>")
    .replace(/key_[0-9a-z]{20}/g, "<key>")
    .replace(/lapse_(sk|pk)_[0-9a-z]{32}/g, "<plaintext>");
}

/** Figures for RELIABILITY.md, printed once the matrix has run. */
const tally = { procedures: 0, calls: 0, refusals: 0, ghostComparisons: 0, rowsChanged: 0 };

describe("authorization matrix (credentials, R12)", () => {
  afterAll(() => {
    console.log(
      `authz matrix: ${tally.procedures} procedures × ${CASES.length} credential cases → ` +
        `${tally.calls} calls (${tally.refusals} refused), ${tally.ghostComparisons} answers ` +
        `compared with ids that exist nowhere; unexpected row changes ${tally.rowsChanged}`,
    );
  });

  it("every procedure of the router has a row in matrix-rows.ts, of its own type", () => {
    expect(paths.filter((path) => !(path in MATRIX_ROWS))).toEqual([]);
    for (const path of paths) {
      expect(MATRIX_ROWS[path]?.type, path).toBe(procedures[path]?._def.type);
      accessOf(path);
    }
  });

  for (const path of Object.keys(MATRIX_ROWS).filter((p) => !(p in procedures))) {
    // A row may lead the router (a procedure being added), never the reverse.
    it.todo(`${path}: has a row but is not in the router yet`);
  }

  for (const path of paths) {
    it(`${path}: every credential case answers as expected and changes nothing`, async () => {
      const row = MATRIX_ROWS[path];
      if (!row) {
        throw new Error(`No row for '${path}' in matrix-rows.ts.`);
      }
      const { access, scope } = accessOf(path);
      const w = await world(scope);
      tally.procedures += 1;
      const input = row.input(w.ids);
      const expected: Record<string, string> = {};
      const actual: Record<string, string> = {};
      const problems: string[] = [];

      for (const c of CASES) {
        const status = c.expected(access, row);
        if (status === null) {
          continue;
        }
        expected[c.name] = outcome(status, CODE_OF[status]);
        const tenants = { this: w.tenant, other: w.other, mirror: w.mirror };
        const before = await Promise.all(Object.values(tenants).map((t) => tenantRows(t.tenantId)));
        const result = await call(row.type, path, input, c.options(w));
        tally.calls += 1;
        if (result.status >= 400) {
          tally.refusals += 1;
        }
        const after = await Promise.all(Object.values(tenants).map((t) => tenantRows(t.tenantId)));
        actual[c.name] = outcome(result.status, result.error?.data.code);

        const writable = result.status < 300 ? c.mayWrite?.(row) : null;
        Object.keys(tenants).forEach((name, i) => {
          if (before[i] !== after[i] && name !== writable) {
            problems.push(`${c.name}: rows of the ${name} tenant changed`);
            tally.rowsChanged += 1;
          }
        });
        if (result.status >= 400 && !result.error?.data.requestId?.startsWith("req_")) {
          problems.push(`${c.name}: the error carries no request id`);
        }
        if (c.foreign) {
          const text = JSON.stringify(result.body);
          const serialisedInput = JSON.stringify(input) ?? "";
          for (const marker of w.markers) {
            if (!serialisedInput.includes(marker) && text.includes(marker)) {
              problems.push(`${c.name}: the answer shows this tenant's '${marker}'`);
            }
          }
          if (result.status === 200 && row.showsNothing && !row.showsNothing(result.data)) {
            problems.push(`${c.name}: the answer shows this tenant's profile data`);
          }
        }
        if (c.foreign === "other") {
          // R12: a caller cannot learn whether another tenant's ids exist. The same call with
          // ids that exist nowhere must answer the same, ids aside.
          const ghost = ghostIds();
          const ghostInput = row.input(ghost);
          if (JSON.stringify(ghostInput) !== JSON.stringify(input)) {
            const ghostBefore = await tenantRows(w.tenant.tenantId);
            const twin = await call(row.type, path, ghostInput, c.options(w));
            tally.ghostComparisons += 1;
            if (normalised(twin, ghost) !== normalised(result, w.ids)) {
              problems.push(
                `${c.name}: this tenant's ids answer differently from ids that exist nowhere:\n` +
                  `  ${normalised(result, w.ids)}\n  ${normalised(twin, ghost)}`,
              );
            }
            if ((await tenantRows(w.tenant.tenantId)) !== ghostBefore) {
              problems.push(`${c.name}: the call with ghost ids changed this tenant`);
            }
          }
        }
      }
      expect(actual).toEqual(expected);
      expect(problems).toEqual([]);
    });
  }
});
