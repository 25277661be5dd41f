/**
 * The Worker's plain routes and the shape of every error: request ids, security headers,
 * the JSON envelope, tRPC's errors with our codes.
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS } from "../support/factories.ts";
import { expectError, mutate, query, send } from "../support/http.ts";

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
