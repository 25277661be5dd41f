/**
 * CORS for publishable keys: the tenant's allow-list, preflights, and refusals a browser
 * can read.
 */
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { profileToken } from "../support/tokens.ts";

const REQUEST_ID = /^req_[0-9a-z]{20}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("CORS for publishable keys", () => {
  const SHOP = "https://shop.example";

  it("a preflight is answered for the API's headers, whatever the origin", async () => {
    const response = await exports.default.fetch("https://api.test/trpc/profile.update", {
      method: "OPTIONS",
      headers: {
        Origin: SHOP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-lapse-profile-token",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(SHOP);
    expect(response.headers.get("Access-Control-Allow-Methods")).toBe("GET, POST");
    const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
    for (const header of ["authorization", "content-type", "x-lapse-profile-token"]) {
      expect(allowed).toContain(header);
    }
    expect(response.headers.get("Vary")).toContain("Origin");
    expect(response.headers.get("X-Request-Id")).toMatch(REQUEST_ID);
  });

  it("a preflight without an Origin gets no CORS headers", async () => {
    const response = await exports.default.fetch("https://api.test/trpc/catalog.list", {
      method: "OPTIONS",
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("an origin on the tenant's allow-list is answered with Access-Control-Allow-Origin", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const catalog = await query("catalog.list", undefined, {
      key: tenant.publishableKey,
      origin: SHOP,
    });
    expectOk(catalog);
    expect(catalog.headers.get("Access-Control-Allow-Origin")).toBe(SHOP);
    expect(catalog.headers.get("Vary")).toContain("Origin");
    const profile = await mutate(
      "profile.update",
      { profileId: "p1", changes: [{ consent: "sms", status: "accepted" }] },
      { key: tenant.publishableKey, origin: SHOP, token: await profileToken(tenant, "p1") },
    );
    expectOk(profile);
    expect(profile.headers.get("Access-Control-Allow-Origin")).toBe(SHOP);
  });

  it("the shop can read a refusal too (a bad token from an allowed origin)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const result = await query(
      "profile.get",
      { profileId: "p1" },
      { key: tenant.publishableKey, origin: SHOP, token: "junk" },
    );
    expectError(result, 401, "UNAUTHORIZED");
    expect(result.headers.get("Access-Control-Allow-Origin")).toBe(SHOP);
  });

  it("an origin off the allow-list: 403, no CORS header, nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    for (const origin of ["https://evil.example", "https://shop.example.evil.example", "null"]) {
      const result = await unchanged(tenant.tenantId, async () =>
        mutate(
          "profile.update",
          { profileId: "p1", changes: [{ consent: "sms", status: "accepted" }] },
          { key: tenant.publishableKey, origin, token: await profileToken(tenant, "p1") },
        ),
      );
      expect(expectError(result, 403, "FORBIDDEN").message).toContain(origin);
      expect(result.headers.get("Access-Control-Allow-Origin")).toBeNull();
    }
  });

  it("R12: another tenant's allow-list does not open this tenant's keys", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await query("catalog.list", undefined, { key: tenant.publishableKey, origin: SHOP }));
    const result = await query("catalog.list", undefined, {
      key: other.publishableKey,
      origin: SHOP,
    });
    expectError(result, 403, "FORBIDDEN");
  });

  it("calls without an Origin (server side) and secret-key calls get no CORS header", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const serverSide = await query("catalog.list", undefined, { key: tenant.publishableKey });
    expectOk(serverSide);
    expect(serverSide.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const secret = await query("catalog.list", undefined, { key: tenant.secretKey, origin: SHOP });
    expectOk(secret);
    // A browser cannot read a secret-key answer: secret keys belong on servers.
    expect(secret.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("browser callers can read every refusal (CORS before limits)", () => {
  it("a shop on an allowed origin over its rate limit sees 429 and can read Retry-After", async () => {
    const shop = "https://shop.example";
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [shop] });
    const app = createApp({ rateLimiter: () => ({ allow: async () => false }) });
    const result = await query("catalog.list", undefined, {
      key: tenant.publishableKey,
      origin: shop,
      app,
    });
    expectError(result, 429, "TOO_MANY_REQUESTS");
    expect(result.headers.get("Access-Control-Allow-Origin")).toBe(shop);
    expect(result.headers.get("Access-Control-Expose-Headers")).toBe("Retry-After, X-Request-Id");
    expect(result.headers.get("Retry-After")).toBe("60");
  });

  it("an origin off the allow-list still gets no CORS header, even when limited", async () => {
    const tenant = await createTenant({
      consents: DEMO_CONSENTS,
      corsOrigins: ["https://shop.example"],
    });
    const app = createApp({ rateLimiter: () => ({ allow: async () => false }) });
    const result = await query("catalog.list", undefined, {
      key: tenant.publishableKey,
      origin: "https://evil.example",
      app,
    });
    expectError(result, 403, "FORBIDDEN");
    expect(result.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
