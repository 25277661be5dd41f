/**
 * Limits at the HTTP edge: body size, batch size, and the per-key rate limit.
 */
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { MAX_TRPC_BATCH } from "../../src/http/trpc-handler.ts";
import type { RateLimiter } from "../../src/trpc/context.ts";
import { unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS } from "../support/factories.ts";
import { expectError, expectOk, mutate, query, send } from "../support/http.ts";

const REQUEST_ID = /^req_[0-9a-z]{20}$/;

afterEach(() => {
  vi.restoreAllMocks();
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
        if (sent++ < 10) {
          controller.enqueue(chunk);
        } else {
          controller.close();
        }
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
    for (const key of counts.keys()) {
      expect(key).toMatch(/^key_/);
    }
  });

  it("an unauthenticated call is refused before it spends anyone's budget", async () => {
    const allow = vi.fn(async () => true);
    const app = createApp({ rateLimiter: () => ({ allow }) });
    expectError(await query("catalog.list", undefined, { app }), 401, "UNAUTHORIZED");
    expect(allow).not.toHaveBeenCalled();
  });
});
