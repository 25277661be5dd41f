import { env, exports } from "cloudflare:workers";
import { MAX_CHANGES_PER_UPDATE, MAX_EVENTS_PER_CALL, MAX_IMPORT_ITEMS } from "@lapse/consent";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.ts";
import type { ConsentSeed } from "../../src/services/tenants/provision.ts";
import type { RateLimiter } from "../../src/trpc/context.ts";
import { appRouter } from "../../src/trpc/router.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "../support/factories.ts";
import {
  type CallResult,
  expectError,
  expectOk,
  type FetchApp,
  mutate,
  query,
  send,
} from "../support/http.ts";
import { tenantRows } from "../support/matrix-rows.ts";
import { daysAgo } from "../support/time.ts";
import { profileToken } from "../support/tokens.ts";

/**
 * Abuse limits the other suites do not already cover (http/limits.test.ts has the 413 of
 * events.track, streamed bodies, the batch of 11 and the per-key 429; http/cors.test.ts the
 * basic CORS cases).
 */

const BODY_LIMIT = 524_288;
const SHOP = "https://shop.example";
const REQUEST_ID = /^req_[0-9a-z]{20}$/;

const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string } }
>;
const mutations = Object.keys(procedures)
  .filter((path) => procedures[path]?._def.type === "mutation")
  .sort();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `call` and proves that no row of the tenant changed. */
async function unchangedRows<T>(tenant: TestTenant, call: () => Promise<T>): Promise<T> {
  const before = await tenantRows(tenant.tenantId);
  const result = await call();
  expect(await tenantRows(tenant.tenantId)).toBe(before);
  return result;
}

function post(path: string, body: string, key: string, app?: FetchApp) {
  return send(
    new Request(`https://api.test/trpc/${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body,
    }),
    app,
  );
}

describe("body size", () => {
  it(`every mutation: ${BODY_LIMIT} bytes pass the limit, one more is a 413 that writes nothing`, async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expect(mutations.length).toBeGreaterThan(0);
    for (const path of mutations) {
      // Whitespace then `[]`: valid JSON no input schema accepts, so nothing may be written.
      const atLimit = await unchangedRows(tenant, () =>
        post(path, `${" ".repeat(BODY_LIMIT - 2)}[]`, tenant.secretKey),
      );
      expect(atLimit.status, path).toBe(400);
      await atLimit.arrayBuffer();
      const over = await unchangedRows(tenant, () =>
        post(path, `${" ".repeat(BODY_LIMIT - 1)}[]`, tenant.secretKey),
      );
      expect(over.status, path).toBe(413);
      expect(await over.json()).toEqual({
        code: "PAYLOAD_TOO_LARGE",
        message: `Request bodies are limited to ${BODY_LIMIT} bytes; send smaller batches.`,
        requestId: over.headers.get("X-Request-Id"),
      });
    }
  });

  it("the limit holds before authentication: an anonymous 600 KB body is a 413", async () => {
    const response = await send(
      new Request("https://api.test/trpc/profile.update", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "x".repeat(600_000),
      }),
    );
    expect(response.status).toBe(413);
  });
});

describe("array sizes", () => {
  const now = () => new Date().toISOString();

  it(`events.track: ${MAX_EVENTS_PER_CALL} events are taken, ${MAX_EVENTS_PER_CALL + 1} refused whole`, async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const events = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        profileId: `p${i}`,
        type: "order_placed",
        occurredAt: now(),
      }));
    const refused = await unchangedRows(tenant, () =>
      mutate(
        "events.track",
        { events: events(MAX_EVENTS_PER_CALL + 1) },
        { key: tenant.secretKey },
      ),
    );
    const error = expectError(refused, 400, "BAD_REQUEST");
    expect(error.data.issues.map((i) => i.path)).toEqual(["events"]);
    // Entry events (R4) make 1,000 'order' states accepted: the full batch is really served.
    const served = expectOk(
      await mutate<{ events: number; entered: number }>(
        "events.track",
        { events: events(MAX_EVENTS_PER_CALL) },
        { key: tenant.secretKey },
      ),
    );
    expect(served).toMatchObject({ events: MAX_EVENTS_PER_CALL, entered: MAX_EVENTS_PER_CALL });
  });

  it(`admin.profiles.import: ${MAX_IMPORT_ITEMS} items are imported, ${MAX_IMPORT_ITEMS + 1} refused whole`, async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        profileId: `p${i}`,
        consent: "newsletter",
        status: "accepted",
        changedAt: daysAgo(10),
      }));
    const refused = await unchangedRows(tenant, () =>
      mutate(
        "admin.profiles.import",
        { items: items(MAX_IMPORT_ITEMS + 1) },
        { key: tenant.secretKey },
      ),
    );
    expect(expectError(refused, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
      "items",
    ]);
    const served = expectOk(
      await mutate<{ imported: number }>(
        "admin.profiles.import",
        { items: items(MAX_IMPORT_ITEMS) },
        { key: tenant.secretKey },
      ),
    );
    expect(served.imported).toBe(MAX_IMPORT_ITEMS);
  });

  it(`profile.update: ${MAX_CHANGES_PER_UPDATE} changes are applied, ${MAX_CHANGES_PER_UPDATE + 1} refused whole`, async () => {
    const consents: ConsentSeed[] = Array.from({ length: MAX_CHANGES_PER_UPDATE + 1 }, (_, i) => ({
      key: `c${String(i).padStart(3, "0")}`,
      kind: "opt_in",
      title: `Consent ${i}`,
      description: "",
      entryEvents: [],
    }));
    const tenant = await createTenant({ consents });
    const changes = (n: number) =>
      consents.slice(0, n).map((c) => ({ consent: c.key, status: "accepted" }));
    const refused = await unchangedRows(tenant, () =>
      mutate(
        "profile.update",
        { profileId: "p1", changes: changes(MAX_CHANGES_PER_UPDATE + 1) },
        { key: tenant.secretKey },
      ),
    );
    expect(expectError(refused, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
      "changes",
    ]);
    const served = expectOk(
      await mutate<{ consents: { status: string }[] }>(
        "profile.update",
        { profileId: "p1", changes: changes(MAX_CHANGES_PER_UPDATE) },
        { key: tenant.secretKey },
      ),
    );
    expect(served.consents.filter((c) => c.status === "accepted")).toHaveLength(
      MAX_CHANGES_PER_UPDATE,
    );
  });

  it("the small sets are bounded too: 8 event types, 4 scopes", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const eight = Array(8).fill("order_placed");
    const calls: [string, unknown][] = [
      [
        "admin.consents.create",
        { key: "big", kind: "legal_basis", title: "Big", entryEvents: eight },
      ],
      ["admin.consents.update", { key: "order", entryEvents: eight }],
      ["admin.expiry.configure", { consent: "newsletter", extendOn: eight }],
      ["admin.expiry.reconfigure", { consent: "newsletter", extendOn: eight }],
      [
        "admin.keys.create",
        { kind: "secret", name: "k", scopes: ["admin", "admin", "events", "profiles"] },
      ],
    ];
    for (const [path, input] of calls) {
      const result = await unchangedRows(tenant, () =>
        mutate(path, input, { key: tenant.secretKey }),
      );
      expectError(result, 400, "BAD_REQUEST");
    }
  });
});

/** A limiter that refuses every call. */
const refuseAll: RateLimiter = {
  allow: async () => false,
  allowProfile: async () => false,
};

describe("per-key rate limit", () => {
  it("every area answers 429 with Retry-After and the envelope, and nothing changes", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const app = createApp({ rateLimiter: () => refuseAll });
    const key = tenant.secretKey;
    const calls: [string, () => Promise<CallResult>][] = [
      ["catalog.list", () => query("catalog.list", undefined, { key, app })],
      ["profile.get", () => query("profile.get", { profileId: "p1" }, { key, app })],
      [
        "events.track",
        () =>
          mutate(
            "events.track",
            {
              events: [
                { profileId: "p1", type: "order_placed", occurredAt: new Date().toISOString() },
              ],
            },
            { key, app },
          ),
      ],
      [
        "admin.consents.create",
        () =>
          mutate("admin.consents.create", { key: "x", kind: "opt_in", title: "X" }, { key, app }),
      ],
      ["admin.runs.trigger", () => mutate("admin.runs.trigger", undefined, { key, app })],
    ];
    for (const [path, call] of calls) {
      const result = await unchangedRows(tenant, call);
      const error = expectError(result, 429, "TOO_MANY_REQUESTS");
      expect(error.data.requestId, path).toBe(result.headers.get("X-Request-Id"));
      expect(result.headers.get("Retry-After"), path).toBe("60");
    }
  });

  it("a publishable key from a shop is limited like any key, and the shop can read the 429", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const app = createApp({ rateLimiter: () => refuseAll });
    const result = await query("catalog.list", undefined, {
      key: tenant.publishableKey,
      origin: SHOP,
      app,
    });
    expectError(result, 429, "TOO_MANY_REQUESTS");
    expect(result.headers.get("Retry-After")).toBe("60");
  });
});

describe("per-profile rate limit", () => {
  /** Counts calls per key; allows `limit` per profile and any number per API key. */
  function profileLimiter(limit: number) {
    const seen = new Map<string, number>();
    const limiter: RateLimiter = {
      allow: async () => true,
      allowProfile: async (key) => {
        seen.set(key, (seen.get(key) ?? 0) + 1);
        return (seen.get(key) ?? 0) <= limit;
      },
    };
    return { seen, app: createApp({ rateLimiter: () => limiter }) };
  }

  it("counted per tenant and profile: over the limit a 429 with Retry-After, writing nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    const { seen, app } = profileLimiter(2);
    const update = (t: TestTenant, profileId: string) =>
      mutate(
        "profile.update",
        { profileId, changes: [{ consent: "sms", status: "accepted" }] },
        { key: t.secretKey, app },
      );
    expectOk(await update(tenant, "p1"));
    expectOk(await query("profile.get", { profileId: "p1" }, { key: tenant.secretKey, app }));
    const limited = await unchangedRows(tenant, () => update(tenant, "p1"));
    expect(expectError(limited, 429, "TOO_MANY_REQUESTS").message).toMatch(/profile/);
    expect(limited.headers.get("Retry-After")).toBe("60");
    // Another profile, and the same profile id in another tenant, have their own budgets.
    expectOk(await update(tenant, "p2"));
    expectOk(await update(other, "p1"));
    expect([...seen.keys()].sort()).toEqual(
      [`${tenant.tenantId}:p1`, `${tenant.tenantId}:p2`, `${other.tenantId}:p1`].sort(),
    );
  });

  it("a customer's calls and the back end's share the profile's budget", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const { app } = profileLimiter(1);
    const token = await profileToken(tenant, "p1");
    expectOk(
      await query("profile.get", { profileId: "p1" }, { key: tenant.publishableKey, token, app }),
    );
    expectError(
      await query("profile.history", { profileId: "p1" }, { key: tenant.secretKey, app }),
      429,
      "TOO_MANY_REQUESTS",
    );
  });

  // Anyone holding the public publishable key could otherwise, with no token, lock any
  // customer's profile — for the customer and the brand's back end alike.
  it("a call refused for its credential spends none of the profile's budget", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const { seen, app } = profileLimiter(1);
    const stranger = await profileToken(tenant, "someone-else");
    for (const token of [undefined, "not-a-jwt", stranger]) {
      const result = await query(
        "profile.get",
        { profileId: "p1" },
        { key: tenant.publishableKey, token, app },
      );
      expect([401, 403]).toContain(result.status);
    }
    expect(seen.size).toBe(0);
    expectOk(await query("profile.get", { profileId: "p1" }, { key: tenant.secretKey, app }));
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    exports.default.fetch("https://api.test/trpc/profile.update", {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-lapse-profile-token",
      },
    });

  it("preflights from an allowed and from another origin get the same answer", async () => {
    await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const allowed = await preflight(SHOP);
    const stranger = await preflight("https://evil.example");
    // A preflight carries no key, so it cannot know the tenant: the call itself is checked.
    for (const response of [allowed, stranger]) {
      expect(response.status).toBe(204);
      expect(response.headers.get("Access-Control-Allow-Methods")).toBe("GET, POST");
      expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    }
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe(SHOP);
    expect(stranger.headers.get("Access-Control-Allow-Origin")).toBe("https://evil.example");
  });

  it("every procedure a publishable key reaches: the call from another origin is a 403 without Access-Control-Allow-Origin", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    const token = await profileToken(tenant, "p1");
    const calls: [string, "query" | "mutation", unknown][] = [
      ["catalog.list", "query", undefined],
      ["profile.get", "query", { profileId: "p1" }],
      [
        "profile.update",
        "mutation",
        { profileId: "p1", changes: [{ consent: "sms", status: "accepted" }] },
      ],
      ["profile.history", "query", { profileId: "p1" }],
    ];
    for (const [path, type, input] of calls) {
      const call = type === "query" ? query : mutate;
      const refused = await unchangedRows(tenant, () =>
        call(path, input, { key: tenant.publishableKey, token, origin: "https://evil.example" }),
      );
      expect(expectError(refused, 403, "FORBIDDEN").message, path).toContain("evil.example");
      expect(refused.headers.get("Access-Control-Allow-Origin"), path).toBeNull();
      const served = await call(path, input, { key: tenant.publishableKey, token, origin: SHOP });
      expectOk(served);
      expect(served.headers.get("Access-Control-Allow-Origin"), path).toBe(SHOP);
      expect(served.headers.get("Vary"), path).toContain("Origin");
    }
  });

  it("a near-miss origin is another origin: scheme, port, suffix and case matter", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS, corsOrigins: [SHOP] });
    for (const origin of [
      "http://shop.example",
      "https://shop.example:8443",
      "https://shop.example.evil.example",
      "https://evilshop.example",
      "https://SHOP.EXAMPLE",
      `${SHOP}/`,
      "null",
    ]) {
      const result = await query("catalog.list", undefined, { key: tenant.publishableKey, origin });
      expect(result.status, origin).toBe(403);
      expect(result.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
    }
  });
});

describe("security headers on every response", () => {
  function expectSecurityHeaders(response: Response, label: string) {
    const h = response.headers;
    expect(h.get("X-Content-Type-Options"), label).toBe("nosniff");
    expect(h.get("Strict-Transport-Security"), label).toMatch(/max-age=\d+/);
    expect(h.get("Referrer-Policy"), label).toBe("no-referrer");
    expect(h.get("X-Frame-Options"), label).toMatch(/^(SAMEORIGIN|DENY)$/);
    expect(h.get("X-Request-Id"), label).toMatch(REQUEST_ID);
  }

  it("successes, refusals, 404s, 405, 413, 415, 429 and 500 all carry them", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const broken = await createTenant({ consents: DEMO_CONSENTS });
    // A corrupt row makes the key lookup throw: the one way to a 500 from outside.
    await env.DB.prepare("UPDATE tenant SET cors_origins = '{not json' WHERE id = ?")
      .bind(broken.tenantId)
      .run();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const auth = { Authorization: `Bearer ${tenant.secretKey}` };
    const limited = createApp({ rateLimiter: () => refuseAll });
    const cases: [string, number, () => Promise<Response>][] = [
      ["/healthz", 200, () => exports.default.fetch("https://api.test/healthz")],
      [
        "a tRPC answer",
        200,
        () => send(new Request("https://api.test/trpc/catalog.list", { headers: auth })),
      ],
      [
        "a batch",
        200,
        () =>
          send(
            new Request("https://api.test/trpc/catalog.list,catalog.list?batch=1&input=%7B%7D", {
              headers: auth,
            }),
          ),
      ],
      [
        "a preflight",
        204,
        () =>
          send(
            new Request("https://api.test/trpc/catalog.list", {
              method: "OPTIONS",
              headers: { Origin: SHOP },
            }),
          ),
      ],
      ["bad input", 400, () => post("profile.update", "{}", tenant.secretKey)],
      ["no key", 401, () => send(new Request("https://api.test/trpc/catalog.list"))],
      ["wrong kind of key", 403, () => post("events.track", "{}", tenant.publishableKey)],
      [
        "an unknown procedure",
        404,
        () => send(new Request("https://api.test/trpc/admin.nope", { headers: auth })),
      ],
      ["an unknown route", 404, () => exports.default.fetch("https://api.test/v1/profiles")],
      [
        "a mutation as GET",
        405,
        () => send(new Request("https://api.test/trpc/profile.update", { headers: auth })),
      ],
      [
        "a body over the limit",
        413,
        () => post("events.track", " ".repeat(BODY_LIMIT + 1), tenant.secretKey),
      ],
      [
        "another content type",
        415,
        () =>
          send(
            new Request("https://api.test/trpc/profile.update", {
              method: "POST",
              headers: { ...auth, "Content-Type": "text/plain" },
              body: "{}",
            }),
          ),
      ],
      [
        "a rate limit",
        429,
        () => send(new Request("https://api.test/trpc/catalog.list", { headers: auth }), limited),
      ],
      [
        "an internal error",
        500,
        () =>
          send(
            new Request("https://api.test/trpc/catalog.list", {
              headers: { Authorization: `Bearer ${broken.secretKey}` },
            }),
          ),
      ],
    ];
    for (const [label, status, run] of cases) {
      const response = await run();
      expect(response.status, label).toBe(status);
      expectSecurityHeaders(response, label);
      await response.arrayBuffer();
    }
  });

  // tRPC would refuse these before its context exists, without a request id: Hono answers first.
  it("a 415 is a JSON envelope carrying the request id, and PUT is a 405", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const response = await send(
      new Request("https://api.test/trpc/profile.update", {
        method: "POST",
        headers: { Authorization: `Bearer ${tenant.secretKey}`, "Content-Type": "text/plain" },
        body: "{}",
      }),
    );
    expect(response.status).toBe(415);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { code: string; requestId: string | null };
    expect(body).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(body.requestId).toBe(response.headers.get("X-Request-Id"));
    const put = await send(
      new Request("https://api.test/trpc/profile.update", {
        method: "PUT",
        headers: {
          Authorization: `Bearer ${tenant.secretKey}`,
          "Content-Type": "application/json",
        },
        body: "{}",
      }),
    );
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("GET, POST, OPTIONS");
    expect(((await put.json()) as { requestId: string }).requestId).toBe(
      put.headers.get("X-Request-Id"),
    );
  });
});
