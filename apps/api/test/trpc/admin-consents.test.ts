import { describe, expect, it } from "vitest";
import type { ConsentView } from "../../src/services/consents/view.ts";
import { keyChecks } from "../support/access-checks.ts";
import { historyRows, snapshot, stateRows, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";

function admin<T = ConsentView>(tenant: TestTenant, path: string, input: unknown) {
  return mutate<T>(`admin.consents.${path}`, input, { key: tenant.secretKey });
}

function list(tenant: TestTenant, input?: unknown) {
  return query<ConsentView[]>("admin.consents.list", input, { key: tenant.secretKey });
}

const A_ONLY = [
  { key: "a-only", kind: "opt_in" as const, title: "A", description: "", entryEvents: [] },
];

describe("admin.consents.list", () => {
  it("lists live consents in key order, with archivedAt", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const consents = expectOk(await list(tenant));
    expect(consents.map((c) => c.key)).toEqual(["newsletter", "order", "sms"]);
    expect(consents.every((c) => c.archivedAt === null)).toBe(true);
  });

  it("shows archived consents only when asked", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await admin(tenant, "archive", { key: "order" }));
    expect(expectOk(await list(tenant)).map((c) => c.key)).toEqual(["newsletter", "sms"]);
    const all = expectOk(await list(tenant, { includeArchived: true }));
    expect(all.map((c) => [c.key, c.archivedAt !== null])).toEqual([
      ["newsletter", false],
      ["order", true],
      ["sms", false],
    ]);
  });

  it("refuses unknown options: 400", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () => list(tenant, { tenantId: "ten_x" }));
    expectError(result, 400, "BAD_REQUEST");
  });

  it("R12: another tenant's key lists its own consents only", async () => {
    const tenant = await createTenant({ consents: A_ONLY });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    const theirs = expectOk(await list(other, { includeArchived: true }));
    expect(theirs.map((c) => c.key)).toEqual(["newsletter", "order", "sms"]);
    expect(expectOk(await list(tenant)).map((c) => c.key)).toEqual(["a-only"]);
  });
});

describe("admin.consents.create", () => {
  it("creates a legal basis with entry events, in the catalogue at once", async () => {
    const tenant = await createTenant();
    const created = expectOk(
      await admin(tenant, "create", {
        key: "loyalty",
        kind: "legal_basis",
        title: "  Loyalty programme  ",
        description: "Points and status.",
        entryEvents: ["account_upserted", "order_placed", "order_placed"],
      }),
    );
    expect(created).toEqual({
      key: "loyalty",
      kind: "legal_basis",
      title: "Loyalty programme",
      description: "Points and status.",
      version: 1,
      // Folded and in the seed's order.
      entryEvents: ["order_placed", "account_upserted"],
      expiry: null,
      archivedAt: null,
    });
    const catalog = expectOk(
      await query<{ key: string }[]>("catalog.list", undefined, { key: tenant.publishableKey }),
    );
    expect(catalog.map((c) => c.key)).toEqual(["loyalty"]);
  });

  it("creates an opt-in with an empty description by default", async () => {
    const tenant = await createTenant();
    const created = expectOk(
      await admin(tenant, "create", { key: "push", kind: "opt_in", title: "Push" }),
    );
    expect(created).toMatchObject({ key: "push", description: "", entryEvents: [], version: 1 });
  });

  it("a key already used: 409 CONFLICT and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "create", { key: "sms", kind: "opt_in", title: "Other SMS" }),
    );
    expectError(result, 409, "CONFLICT");
  });

  it("an archived consent's key is never reused: 409 CONFLICT", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await admin(tenant, "archive", { key: "sms" }));
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "create", { key: "sms", kind: "opt_in", title: "SMS again" }),
    );
    expect(expectError(result, 409, "CONFLICT").message).toMatch(/never reused/);
  });

  it("R4: an opt-in cannot have entry events: 400 and nothing changed", async () => {
    const tenant = await createTenant();
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "create", {
        key: "news",
        kind: "opt_in",
        title: "News",
        entryEvents: ["order_placed"],
      }),
    );
    expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
      "entryEvents",
    ]);
  });

  describe("bad input: 400 and nothing changed", () => {
    const valid = { key: "news", kind: "opt_in", title: "News" };
    const cases: [string, Record<string, unknown>, string][] = [
      ["a key that is not a slug", { ...valid, key: "News Letter" }, "key"],
      ["a key over 64 characters", { ...valid, key: "a".repeat(65) }, "key"],
      ["an unknown kind", { ...valid, kind: "contract" }, "kind"],
      ["a blank title", { ...valid, title: "   " }, "title"],
      ["a title over 200 characters", { ...valid, title: "t".repeat(201) }, "title"],
      [
        "a description over 4000 characters",
        { ...valid, description: "d".repeat(4001) },
        "description",
      ],
      [
        "an unknown event type",
        { ...valid, kind: "legal_basis", entryEvents: ["page_viewed"] },
        "entryEvents.0",
      ],
      ["an extra field (expiry is configured apart)", { ...valid, expiry: { days: 30 } }, ""],
      ["an extra field naming a tenant", { ...valid, tenantId: "ten_other" }, ""],
    ];
    for (const [name, input, path] of cases) {
      it(name, async () => {
        const tenant = await createTenant();
        const result = await unchanged(tenant.tenantId, () => admin(tenant, "create", input));
        expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
          path,
        ]);
      });
    }
  });

  it("R12: the same key may exist in two tenants", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant();
    await unchanged(tenant.tenantId, async () =>
      expectOk(await admin(other, "create", { key: "sms", kind: "opt_in", title: "Theirs" })),
    );
  });
});

describe("admin.consents.update", () => {
  it("a new text is a new version", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const updated = expectOk(
      await admin(tenant, "update", { key: "newsletter", description: "Weekly news." }),
    );
    expect(updated).toMatchObject({
      key: "newsletter",
      title: "Newsletter",
      description: "Weekly news.",
      version: 2,
    });
    const again = expectOk(await admin(tenant, "update", { key: "newsletter", title: "News" }));
    expect(again.version).toBe(3);
    expect(expectOk(await list(tenant)).find((c) => c.key === "newsletter")?.version).toBe(3);
  });

  it("R4: new entry events keep the version (the text did not change)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const updated = expectOk(
      await admin(tenant, "update", {
        key: "order",
        entryEvents: ["account_upserted", "order_placed"],
      }),
    );
    expect(updated).toMatchObject({
      version: 1,
      entryEvents: ["order_placed", "account_upserted"],
    });
  });

  it("an update that changes nothing writes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const before = await snapshot(tenant.tenantId);
    const same = expectOk(
      await admin(tenant, "update", { key: "sms", title: "SMS offers", entryEvents: [] }),
    );
    expect(same.version).toBe(1);
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("an unknown key: 404 NOT_FOUND and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "update", { key: "nope", title: "X" }),
    );
    expectError(result, 404, "NOT_FOUND");
  });

  it("an archived consent: 404 NOT_FOUND and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await admin(tenant, "archive", { key: "sms" }));
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "update", { key: "sms", title: "X" }),
    );
    expectError(result, 404, "NOT_FOUND");
  });

  it("R4: entry events on an opt-in: 400 and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "update", { key: "sms", entryEvents: ["sms_clicked"] }),
    );
    expectError(result, 400, "BAD_REQUEST");
  });

  it("the kind cannot change (extra field): 400 and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      admin(tenant, "update", { key: "order", kind: "opt_in" }),
    );
    expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([""]);
  });

  it("R12: another tenant's consent reads as not found, like a key that exists nowhere", async () => {
    const tenant = await createTenant({ consents: A_ONLY });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    const theirs = await unchanged(tenant.tenantId, () =>
      admin(other, "update", { key: "a-only", title: "Hijacked" }),
    );
    const nowhere = await admin(other, "update", { key: "b-none", title: "X" });
    expect(expectError(theirs, 404, "NOT_FOUND").message.replace("a-only", "X")).toBe(
      expectError(nowhere, 404, "NOT_FOUND").message.replace("b-none", "X"),
    );
  });
});

describe("admin.consents.archive", () => {
  it("takes a consent out of the catalogue and turns its expiry off, keeping states and history", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const key = { key: tenant.secretKey };
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "newsletter", status: "accepted" }] },
        key,
      ),
    );
    expectOk(await mutate("admin.expiry.activate", { consent: "newsletter" }, key));
    const states = await stateRows(tenant.tenantId);
    const history = await historyRows(tenant.tenantId, "p1");
    const archived = expectOk(await admin(tenant, "archive", { key: "newsletter" }));
    expect(Date.parse(archived.archivedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(archived.expiry?.enabled).toBe(false);
    expect(await stateRows(tenant.tenantId)).toEqual(states);
    expect(await historyRows(tenant.tenantId, "p1")).toEqual(history);
    const catalog = expectOk(
      await query<{ key: string }[]>("catalog.list", undefined, { key: tenant.publishableKey }),
    );
    expect(catalog.map((c) => c.key)).toEqual(["order", "sms"]);
  });

  it("archiving twice: 404 NOT_FOUND and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await admin(tenant, "archive", { key: "sms" }));
    const result = await unchanged(tenant.tenantId, () => admin(tenant, "archive", { key: "sms" }));
    expectError(result, 404, "NOT_FOUND");
  });

  it("an unknown key: 404 NOT_FOUND; a malformed key or extra field: 400", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await unchanged(tenant.tenantId, async () => {
      expectError(await admin(tenant, "archive", { key: "nope" }), 404, "NOT_FOUND");
      expectError(await admin(tenant, "archive", { key: "Nope!" }), 400, "BAD_REQUEST");
      expectError(await admin(tenant, "archive", { key: "sms", force: true }), 400, "BAD_REQUEST");
    });
  });

  it("R12: another tenant's key cannot archive this tenant's consent", async () => {
    const tenant = await createTenant({ consents: A_ONLY });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      admin(other, "archive", { key: "a-only" }),
    );
    expectError(result, 404, "NOT_FOUND");
    expect(expectOk(await list(tenant)).map((c) => c.key)).toEqual(["a-only"]);
  });
});

const common = { scope: "admin" as const, publishable: "refused" as const };
keyChecks({ ...common, path: "admin.consents.list", type: "query", input: () => undefined });
keyChecks({
  ...common,
  path: "admin.consents.create",
  type: "mutation",
  input: () => ({ key: "fresh", kind: "opt_in", title: "Fresh" }),
});
keyChecks({
  ...common,
  path: "admin.consents.update",
  type: "mutation",
  input: () => ({ key: "sms", title: "SMS deals" }),
});
keyChecks({
  ...common,
  path: "admin.consents.archive",
  type: "mutation",
  input: () => ({ key: "sms" }),
});
