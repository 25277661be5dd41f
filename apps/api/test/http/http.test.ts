import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app";
import { MAX_TRPC_BATCH } from "../../src/http/trpc-handler";
import type { RateLimiter } from "../../src/trpc/context";
import { unchanged } from "../support/db";
import { createTenant, DEMO_CONSENTS } from "../support/factories";
import { expectError, expectOk, mutate, query, send } from "../support/http";
import { profileToken } from "../support/tokens";

const REQUEST_ID = /^req_[0-9a-z]{20}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("plain routes", () => {
  it("/healthz answers ok with a request id and the security headers", async () => {
    const response = await exports.default.fetch("https://api.test/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get("X-Request-Id")).toMatch(REQUEST_ID);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(response.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(response.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
  });

  it("every request gets its own id", async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 3; i++) {
      ids.add(
        (await exports.default.fetch("https://api.test/healthz")).headers.get("X-Request-Id"),
      );
    }
    expect(ids.size).toBe(3);
  });

  it("an unknown route is a 404 in the error envelope { code, message, requestId }", async () => {
    const response = await exports.default.fetch("https://api.test/v1/profiles");
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body).toEqual({
      code: "NOT_FOUND",
      message: "No such route. The API lives under /trpc.",
      requestId: response.headers.get("X-Request-Id"),
    });
  });

  it("an unhandled failure outside tRPC is a 500 'Internal error', logged, not echoed", async () => {
    const tenant = await createTenant();
    // A corrupt row makes the key lookup throw before tRPC runs.
    await env.DB.prepare("UPDATE tenant SET cors_origins = '{not json' WHERE id = ?")
      .bind(tenant.tenantId)
      .run();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await send(
      new Request("https://api.test/trpc/catalog.list", {
        headers: { Authorization: `Bearer ${tenant.secretKey}` },
      }),
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      message: "Internal error",
      requestId: response.headers.get("X-Request-Id"),
    });
    expect(logged).toHaveBeenCalled();
  });
});

describe("tRPC errors", () => {
  it("carry the request id of the X-Request-Id header, our code and no stack", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await mutate(
      "profile.update",
      { profileId: "p1", changes: [{ consent: "nope", status: "accepted" }] },
      { key: tenant.secretKey },
    );
    const error = expectError(result, 400, "BAD_REQUEST");
    expect(error.data.requestId).toMatch(REQUEST_ID);
    expect(error.data.requestId).toBe(result.headers.get("X-Request-Id"));
    expect(JSON.stringify(result.body)).not.toMatch(/stack|at \w+ \(/);
  });

  it("an unknown procedure is a 404", async () => {
    const tenant = await createTenant();
    const result = await query("admin.tenants.list", undefined, { key: tenant.secretKey });
    expect(result.status).toBe(404);
  });

  it("a mutation cannot be sent as a GET", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      query(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "sms", status: "accepted" }] },
        { key: tenant.secretKey },
      ),
    );
    expect(result.status).toBe(405);
  });

  it("an internal failure inside a procedure is 'Internal error' with no detail", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    // A stored row the schema cannot read: the service throws a ZodError of its own.
    await env.DB.prepare(
      "UPDATE consent SET expiry_extend_on = '[\"bogus\"]' WHERE tenant_id = ? AND key = 'sms'",
    )
      .bind(tenant.tenantId)
      .run();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await query("catalog.list", undefined, { key: tenant.secretKey });
    const error = expectError(result, 500, "INTERNAL_SERVER_ERROR");
    expect(error.message).toBe("Internal error");
    expect(error.data.issues).toEqual([]);
    expect(JSON.stringify(result.body)).not.toMatch(/bogus|Invalid option/);
    expect(logged).toHaveBeenCalled();
  });
});

describe("limits", () => {
  it("a body over the limit is a 413 in the envelope and changes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const events = Array.from({ length: 1000 }, (_, i) => ({
      profileId: `${"p".repeat(600)}${i}`,
      type: "email_clicked",
      occurredAt: new Date().toISOString(),
    }));
    const body = JSON.stringify({ events });
    expect(body.length).toBeGreaterThan(524_288);
    const response = await unchanged(tenant.tenantId, () =>
      send(
        new Request("https://api.test/trpc/events.track", {
          method: "POST",
          headers: {
            Authorization: `Bearer ${tenant.secretKey}`,
            "Content-Type": "application/json",
          },
          body,
        }),
      ),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      code: "PAYLOAD_TOO_LARGE",
      message: "Request bodies are limited to 524288 bytes; send smaller batches.",
      requestId: response.headers.get("X-Request-Id"),
    });
  });

  it("a streamed body without Content-Length is cut at the limit too", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await unchanged(tenant.tenantId, () =>
      send(
        new Request("https://api.test/trpc/events.track", {
          method: "POST",
          headers: {
            Authorization: `Bearer ${tenant.secretKey}`,
            "Content-Type": "application/json",
          },
          body: stream,
        }),
      ),
    );
    expect(response.status).toBe(413);
  });

  it(`a tRPC batch of ${MAX_TRPC_BATCH} calls is served, one more is refused`, async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const batch = async (n: number) => {
      const paths = Array.from({ length: n }, () => "catalog.list").join(",");
      return exports.default.fetch(`https://api.test/trpc/${paths}?batch=1&input=%7B%7D`, {
        headers: { Authorization: `Bearer ${tenant.secretKey}` },
      });
    };
    const ok = await batch(MAX_TRPC_BATCH);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveLength(MAX_TRPC_BATCH);
    const tooMany = await batch(MAX_TRPC_BATCH + 1);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({
      error: { message: "Batch call exceeds maximum size", data: { code: "BAD_REQUEST" } },
    });
    expect(tooMany.headers.get("X-Request-Id")).toMatch(REQUEST_ID);
  });

  it("a batch of mutations over the limit writes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const n = MAX_TRPC_BATCH + 1;
    const paths = Array.from({ length: n }, () => "profile.update").join(",");
    const input = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        i,
        { profileId: `p${i}`, changes: [{ consent: "sms", status: "accepted" }] },
      ]),
    );
    const response = await unchanged(tenant.tenantId, () =>
      send(
        new Request(`https://api.test/trpc/${paths}?batch=1`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${tenant.secretKey}`,
            "Content-Type": "application/json",
          },
          body: JSON.stringify(input),
        }),
      ),
    );
    expect(response.status).toBe(400);
  });
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

describe("rate limit", () => {
  it("a key over its limit gets 429 with Retry-After, and nothing changes", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const app = createApp({ rateLimiter: () => ({ allow: async () => false }) });
    const result = await unchanged(tenant.tenantId, () =>
      mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "sms", status: "accepted" }] },
        { key: tenant.secretKey, app },
      ),
    );
    const error = expectError(result, 429, "TOO_MANY_REQUESTS");
    expect(error.message).toMatch(/Rate limit/);
    expect(result.headers.get("Retry-After")).toBe("60");
  });

  it("the limit is counted per key", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const counts = new Map<string, number>();
    const limiter: RateLimiter = {
      allow: async (key) => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return (counts.get(key) ?? 0) <= 2;
      },
    };
    const app = createApp({ rateLimiter: () => limiter });
    const list = (key: string) => query("catalog.list", undefined, { key, app });
    expectOk(await list(tenant.secretKey));
    expectOk(await list(tenant.secretKey));
    expectError(await list(tenant.secretKey), 429, "TOO_MANY_REQUESTS");
    // Another key of the same tenant has its own budget.
    expectOk(await list(tenant.publishableKey));
    expect([...counts.keys()]).toHaveLength(2);
    for (const key of counts.keys()) expect(key).toMatch(/^key_/);
  });

  it("an unauthenticated call is refused before it spends anyone's budget", async () => {
    const allow = vi.fn(async () => true);
    const app = createApp({ rateLimiter: () => ({ allow }) });
    expectError(await query("catalog.list", undefined, { app }), 401, "UNAUTHORIZED");
    expect(allow).not.toHaveBeenCalled();
  });
});
