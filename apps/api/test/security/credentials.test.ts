import { describe, expect, it } from "vitest";
import { unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, insertKey, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { jwt, profileToken } from "../support/tokens.ts";

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

/** One call per area: which of them a key may make. */
const probes = {
  catalog: (key: string) => query("catalog.list", undefined, { key }),
  profiles: (key: string) => query("profile.get", { profileId: "p1" }, { key }),
  events: (key: string) =>
    mutate(
      "events.track",
      {
        events: [{ profileId: "p1", type: "email_clicked", occurredAt: new Date().toISOString() }],
      },
      { key },
    ),
  admin: (key: string) => query("admin.consents.list", undefined, { key }),
};

async function allowed(key: string) {
  const out: Record<string, number> = {};
  for (const [name, probe] of Object.entries(probes)) {
    out[name] = (await probe(key)).status;
  }
  return out;
}

describe("API keys", () => {
  it("each scope opens its own procedures only; any key reads the catalogue", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const only = async (scope: "admin" | "profiles" | "events") =>
      allowed((await insertKey(tenant, { scopes: [scope] })).key);
    expect(await only("profiles")).toEqual({
      catalog: 200,
      profiles: 200,
      events: 403,
      admin: 403,
    });
    expect(await only("events")).toEqual({ catalog: 200, profiles: 403, events: 200, admin: 403 });
    // admin does not imply the others.
    expect(await only("admin")).toEqual({ catalog: 200, profiles: 403, events: 403, admin: 200 });
    expect(await allowed(tenant.secretKey)).toEqual({
      catalog: 200,
      profiles: 200,
      events: 200,
      admin: 200,
    });
    // Without a token a publishable key reaches the catalogue only.
    expect(await allowed(tenant.publishableKey)).toEqual({
      catalog: 200,
      profiles: 401,
      events: 403,
      admin: 403,
    });
  });

  it("a secret key stored without scopes is refused everything but the catalogue", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const bare = await insertKey(tenant, { scopes: [] });
    expect(await allowed(bare.key)).toEqual({
      catalog: 200,
      profiles: 403,
      events: 403,
      admin: 403,
    });
  });

  it("the Bearer scheme is case-insensitive; other schemes are not keys", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const lower = await query("catalog.list", undefined, {
      headers: { Authorization: `bearer ${tenant.secretKey}` },
    });
    expectOk(lower);
    for (const header of [
      `Basic ${tenant.secretKey}`,
      tenant.secretKey,
      `Bearer ${tenant.secretKey} extra`,
    ]) {
      const result = await query("catalog.list", undefined, { headers: { Authorization: header } });
      expect(expectError(result, 401, "UNAUTHORIZED").message).toMatch(/Send an API key/);
    }
  });

  it("a key's text is checked before any lookup, and unknown keys say nothing more", async () => {
    const tenant = await createTenant();
    const bad = await query("catalog.list", undefined, { key: `${tenant.secretKey}x` });
    expect(expectError(bad, 401, "UNAUTHORIZED").message).toBe("This is not a Lapse API key.");
    const unknown = await query("catalog.list", undefined, { key: `lapse_pk_${"a".repeat(32)}` });
    expect(expectError(unknown, 401, "UNAUTHORIZED").message).toBe("Unknown API key.");
  });

  it("a key revoked or expired a moment ago is refused; one expiring later still works", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const revoked = await insertKey(tenant, { revokedAt: Date.now() - 1 });
    const expired = await insertKey(tenant, { expiresAt: Date.now() - 1 });
    const later = await insertKey(tenant, { expiresAt: Date.now() + 3_600_000 });
    expect((await probes.catalog(revoked.key)).status).toBe(401);
    expect((await probes.catalog(expired.key)).status).toBe(401);
    expectOk(await probes.catalog(later.key));
  });
});

describe("profile tokens", () => {
  async function customer(tenant: TestTenant, token: string, profileId = "p1") {
    return query("profile.get", { profileId }, { key: tenant.publishableKey, token });
  }

  it("a token alone, without a key, is not a credential", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await query(
      "profile.get",
      { profileId: "p1" },
      { token: await profileToken(tenant, "p1") },
    );
    expectError(result, 401, "UNAUTHORIZED");
  });

  it("a secret key does not need one, and ignores a bad one", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await query("profile.get", { profileId: "p1" }, { key: tenant.secretKey, token: "junk" }),
    );
  });

  it("a customer changes their own profile with it; the proof says customer", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const token = await profileToken(tenant, "p1");
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: tenant.publishableKey, token },
      ),
    );
    const history = expectOk(
      await query<{ items: { reason: string }[] }>(
        "profile.history",
        { profileId: "p1" },
        { key: tenant.publishableKey, token },
      ),
    );
    expect(history.items.map((i) => i.reason)).toEqual(["customer"]);
  });

  it("the token's profile cannot be swapped for another in the input", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const token = await profileToken(tenant, "p1");
    const result = await unchanged(tenant.tenantId, () =>
      mutate(
        "profile.update",
        { profileId: "p2", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: tenant.publishableKey, token },
      ),
    );
    expectError(result, 403, "FORBIDDEN");
  });

  it("claims that are not a profile are refused: no sub, an empty sub, a sub over 128 characters", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const header = { alg: "HS256", typ: "JWT", kid: tenant.signingKid };
    for (const sub of [undefined, "", "x".repeat(129), 42]) {
      const token = await jwt(header, { sub, exp: inSeconds(600) }, tenant.signingSecret);
      expectError(await customer(tenant, token, "x".repeat(128)), 401, "UNAUTHORIZED");
    }
  });

  it("a token without exp is refused", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const token = await jwt(
      { alg: "HS256", typ: "JWT", kid: tenant.signingKid },
      { sub: "p1" },
      tenant.signingSecret,
    );
    expectError(await customer(tenant, token), 401, "UNAUTHORIZED");
  });

  it("a token not valid before a future nbf is refused", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const token = await jwt(
      { alg: "HS256", typ: "JWT", kid: tenant.signingKid },
      { sub: "p1", exp: inSeconds(3600), nbf: inSeconds(1800) },
      tenant.signingSecret,
    );
    expectError(await customer(tenant, token), 401, "UNAUTHORIZED");
  });

  it("a token of tenant A with tenant B's publishable key, for A's profile, is refused (R12)", async () => {
    const a = await createTenant({ consents: DEMO_CONSENTS });
    const b = await createTenant({ consents: DEMO_CONSENTS });
    const token = await profileToken(a, "p1");
    const result = await unchanged(a.tenantId, () =>
      mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: b.publishableKey, token },
      ),
    );
    expect(expectError(result, 401, "UNAUTHORIZED").message).toMatch(/kid/);
  });
});
