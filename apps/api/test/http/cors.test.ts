import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { createTenant, DEMO_CONSENTS } from "../support/factories";
import { expectError, query } from "../support/http";

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
