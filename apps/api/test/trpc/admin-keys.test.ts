import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { keyChecks } from "../support/access-checks.ts";
import { snapshot, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, insertKey, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";

interface KeyView {
  id: string;
  kind: "secret" | "publishable";
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  key?: string;
}

function keys<T = KeyView>(tenant: TestTenant, verb: string, input?: unknown) {
  return verb === "list"
    ? query<T>("admin.keys.list", input, { key: tenant.secretKey })
    : mutate<T>(`admin.keys.${verb}`, input, { key: tenant.secretKey });
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const trackOne = (key: string) =>
  mutate(
    "events.track",
    { events: [{ profileId: "p1", type: "email_clicked", occurredAt: new Date().toISOString() }] },
    { key },
  );

describe("admin.keys.create", () => {
  it("shows a new secret key once, with its scopes, and the key works for them only", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const created = expectOk(
      await keys(tenant, "create", {
        kind: "secret",
        name: "ESP sync",
        scopes: ["events", "events"],
      }),
    );
    expect(created).toMatchObject({
      kind: "secret",
      name: "ESP sync",
      scopes: ["events"],
      expiresAt: null,
      revokedAt: null,
    });
    expect(created.id).toMatch(/^key_[0-9a-z]{20}$/);
    expect(created.key).toMatch(/^lapse_sk_[0-9a-z]{32}$/);
    expect(created.prefix).toBe(created.key?.slice(0, 13));
    const key = created.key ?? "";
    expectOk(await trackOne(key));
    expectError(await query("admin.keys.list", undefined, { key }), 403, "FORBIDDEN");
    expectError(await query("profile.get", { profileId: "p1" }, { key }), 403, "FORBIDDEN");
  });

  it("the list shows only the prefix, never the key", async () => {
    const tenant = await createTenant();
    const created = expectOk(
      await keys(tenant, "create", { kind: "secret", name: "Back office", scopes: ["admin"] }),
    );
    const listed = expectOk(await keys<KeyView[]>(tenant, "list"));
    // The provisioned pair (same creation time, any order), then the new key.
    expect(listed).toHaveLength(3);
    expect(listed.at(-1)?.id).toBe(created.id);
    expect(listed.map((k) => k.kind).sort()).toEqual(["publishable", "secret", "secret"]);
    const { key: shown, ...withoutKey } = created;
    expect(listed.find((k) => k.id === created.id)).toEqual(withoutKey);
    const body = JSON.stringify(listed);
    expect(body).not.toContain(shown);
    expect(body).not.toContain("hash");
  });

  it("stores only the SHA-256 of the key (credentials)", async () => {
    const tenant = await createTenant();
    const created = expectOk(
      await keys(tenant, "create", { kind: "secret", name: "Hash check", scopes: ["profiles"] }),
    );
    const row = await env.DB.prepare("SELECT * FROM api_key WHERE id = ?")
      .bind(created.id)
      .first<Record<string, unknown>>();
    expect(row?.hash).toBe(await sha256Hex(created.key ?? ""));
    expect(row?.tenant_id).toBe(tenant.tenantId);
    expect(JSON.stringify(row)).not.toContain(created.key);
  });

  it("creates a publishable key without scopes: catalogue yes, events no", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const created = expectOk(await keys(tenant, "create", { kind: "publishable", name: "Shop" }));
    expect(created.key).toMatch(/^lapse_pk_[0-9a-z]{32}$/);
    expect(created.scopes).toEqual([]);
    const key = created.key ?? "";
    expectOk(await query("catalog.list", undefined, { key }));
    expectError(await trackOne(key), 403, "FORBIDDEN");
  });

  it("a key with an expiry works until then and gets 401 after (rotation overlap)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
    const created = expectOk(
      await keys(tenant, "create", { kind: "secret", name: "Old", scopes: ["events"], expiresAt }),
    );
    expect(created.expiresAt).toBe(expiresAt);
    const key = created.key ?? "";
    expectOk(await trackOne(key));
    const later = createApp({ now: () => Date.now() + 2 * 60 * 60_000 });
    const result = await query("catalog.list", undefined, { key, app: later });
    expect(expectError(result, 401, "UNAUTHORIZED").message).toBe("This API key has expired.");
  });

  describe("bad input: 400 and nothing changed", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["a secret key without scopes", { kind: "secret", name: "x" }, "scopes"],
      [
        "a secret key with an empty scope list",
        { kind: "secret", name: "x", scopes: [] },
        "scopes",
      ],
      [
        "a publishable key with scopes",
        { kind: "publishable", name: "x", scopes: ["events"] },
        "scopes",
      ],
      ["an unknown scope", { kind: "secret", name: "x", scopes: ["root"] }, "scopes.0"],
      [
        "an expiry in the past",
        { kind: "secret", name: "x", scopes: ["events"], expiresAt: "2020-01-01T00:00:00Z" },
        "expiresAt",
      ],
      [
        "a malformed expiry",
        { kind: "secret", name: "x", scopes: ["events"], expiresAt: "tomorrow" },
        "expiresAt",
      ],
      ["a blank name", { kind: "secret", name: " ", scopes: ["events"] }, "name"],
      ["an unknown kind", { kind: "master", name: "x" }, "kind"],
      ["an extra field", { kind: "secret", name: "x", scopes: ["events"], tenantId: "ten_x" }, ""],
    ];
    for (const [name, input, path] of cases) {
      it(name, async () => {
        const tenant = await createTenant();
        const result = await unchanged(tenant.tenantId, () => keys(tenant, "create", input));
        expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
          path,
        ]);
      });
    }
  });
});

describe("admin.keys.revoke", () => {
  it("a revoked key gets 401 at once, and the list shows when it was revoked", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const created = expectOk(
      await keys(tenant, "create", { kind: "secret", name: "Leaked", scopes: ["events"] }),
    );
    const key = created.key ?? "";
    expectOk(await trackOne(key));
    const revoked = expectOk(await keys(tenant, "revoke", { id: created.id }));
    expect(Date.parse(revoked.revokedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(revoked).not.toHaveProperty("key");
    const result = await unchanged(tenant.tenantId, () => trackOne(key));
    expect(expectError(result, 401, "UNAUTHORIZED").message).toBe("This API key was revoked.");
    const listed = expectOk(await keys<KeyView[]>(tenant, "list"));
    expect(listed.find((k) => k.id === created.id)?.revokedAt).toBe(revoked.revokedAt);
  });

  it("revoking twice keeps the first revocation time", async () => {
    const tenant = await createTenant();
    const { id } = await insertKey(tenant);
    const first = expectOk(await keys(tenant, "revoke", { id }));
    const before = await snapshot(tenant.tenantId);
    expect(expectOk(await keys(tenant, "revoke", { id }))).toEqual(first);
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("an unknown id: 404 NOT_FOUND; a malformed input: 400; nothing changed", async () => {
    const tenant = await createTenant();
    await unchanged(tenant.tenantId, async () => {
      expectError(await keys(tenant, "revoke", { id: "key_nope" }), 404, "NOT_FOUND");
      expectError(await keys(tenant, "revoke", { id: "" }), 400, "BAD_REQUEST");
      expectError(await keys(tenant, "revoke", { id: "x".repeat(65) }), 400, "BAD_REQUEST");
      expectError(await keys(tenant, "revoke", { id: "key_x", now: true }), 400, "BAD_REQUEST");
    });
  });
});

describe("admin.keys: R12", () => {
  it("R12: revoking another tenant's key id is NOT_FOUND and that key still works", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant();
    const victim = await insertKey(tenant, { scopes: ["events"] });
    const result = await unchanged(tenant.tenantId, () => keys(other, "revoke", { id: victim.id }));
    const nowhere = await keys(other, "revoke", { id: "key_nowhere" });
    expect(expectError(result, 404, "NOT_FOUND").message.replace(victim.id, "X")).toBe(
      expectError(nowhere, 404, "NOT_FOUND").message.replace("key_nowhere", "X"),
    );
    expectOk(await trackOne(victim.key));
  });

  it("R12: a tenant lists its own keys only", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const mine = await insertKey(tenant);
    const theirs = expectOk(await keys<KeyView[]>(other, "list"));
    expect(theirs.map((k) => k.id)).not.toContain(mine.id);
    expect(theirs).toHaveLength(2);
    const own = expectOk(await keys<KeyView[]>(tenant, "list"));
    expect(own.map((k) => k.id)).toContain(mine.id);
  });

  it("R12: a key created by one tenant authenticates as that tenant only", async () => {
    const tenant = await createTenant({
      consents: [{ key: "a-only", kind: "opt_in", title: "A", description: "", entryEvents: [] }],
    });
    const created = expectOk(await keys(tenant, "create", { kind: "publishable", name: "Shop" }));
    const catalog = expectOk(
      await query<{ key: string }[]>("catalog.list", undefined, { key: created.key ?? "" }),
    );
    expect(catalog.map((c) => c.key)).toEqual(["a-only"]);
  });
});

const common = { scope: "admin" as const, publishable: "refused" as const };
keyChecks({
  ...common,
  path: "admin.keys.create",
  type: "mutation",
  input: () => ({ kind: "secret", name: "New", scopes: ["events"] }),
});
keyChecks({ ...common, path: "admin.keys.list", type: "query", input: () => undefined });
keyChecks({
  ...common,
  path: "admin.keys.revoke",
  type: "mutation",
  input: async (tenant) => ({ id: (await insertKey(tenant, { scopes: ["events"] })).id }),
});
