import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, DEMO_CONSENTS, insertKey } from "../support/factories.ts";

const BASE = "https://api.test";

async function signIn(key: string) {
  return exports.default.fetch(`${BASE}/console/api/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ key }),
  });
}

function cookieOf(response: Response): string {
  const header = response.headers.get("Set-Cookie") ?? "";
  return header.split(";")[0] ?? "";
}

async function catalogue(
  cookie: string,
  headers: Record<string, string> = { "X-Lapse-Console": "1" },
) {
  return exports.default.fetch(`${BASE}/trpc/admin.consents.list`, {
    headers: { Cookie: cookie, ...headers },
  });
}

describe("console sessions", () => {
  it("an admin key is exchanged for an HttpOnly, Secure, SameSite=Strict cookie that works for the API", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const response = await signIn(tenant.secretKey);
    expect(response.status).toBe(200);
    const setCookie = response.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(/^lapse_session=[0-9a-z]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(await response.json()).toMatchObject({ tenant: tenant.name });
    // The key is not in the answer, and the database keeps only the token's hash.
    const token = cookieOf(response).split("=")[1] ?? "";
    const stored = await env.DB.prepare("SELECT id FROM console_session WHERE tenant_id = ?")
      .bind(tenant.tenantId)
      .first<{ id: string }>();
    expect(stored?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.id).not.toBe(token);

    const list = await catalogue(cookieOf(response));
    expect(list.status).toBe(200);
    const body = (await list.json()) as { result: { data: { key: string }[] } };
    expect(body.result.data.map((c) => c.key)).toEqual(["newsletter", "order", "sms"]);
  });

  it("a cookie without the console header is refused (CSRF), and sign-out ends the session", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const cookie = cookieOf(await signIn(tenant.secretKey));
    expect((await catalogue(cookie, {})).status).toBe(401);
    const out = await exports.default.fetch(`${BASE}/console/api/session`, {
      method: "DELETE",
      headers: { Cookie: cookie },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("Set-Cookie")).toMatch(/lapse_session=;.*Max-Age=0/);
    expect((await catalogue(cookie)).status).toBe(401);
  });

  it("only a secret key with the admin scope can sign in; a revoked key ends its sessions", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expect((await signIn(tenant.publishableKey)).status).toBe(401);
    const events = await insertKey(tenant, { scopes: ["events"] });
    expect((await signIn(events.key)).status).toBe(401);
    expect((await signIn("lapse_sk_notakey")).status).toBe(401);
    const bad = await exports.default.fetch(`${BASE}/console/api/session`, {
      method: "POST",
      body: "not json",
    });
    expect(bad.status).toBe(400);

    const cookie = cookieOf(await signIn(tenant.secretKey));
    await env.DB.prepare(
      "UPDATE api_key SET revoked_at = ? WHERE tenant_id = ? AND kind = 'secret'",
    )
      .bind(Date.now() - 1, tenant.tenantId)
      .run();
    expect((await catalogue(cookie)).status).toBe(401);
  });

  it("the session probe names the tenant, and a forged cookie is refused", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const cookie = cookieOf(await signIn(tenant.secretKey));
    const probe = await exports.default.fetch(`${BASE}/console/api/session`, {
      headers: { Cookie: cookie },
    });
    const about = (await probe.json()) as { tenant: string; expiresAt: string };
    expect(about.tenant).toBe(tenant.name);
    // Eight hours from sign-in, so the console can warn before the session ends.
    expect(Date.parse(about.expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    const forged = `lapse_session=${"a".repeat(43)}`;
    expect((await catalogue(forged)).status).toBe(401);
    expect(
      (await exports.default.fetch(`${BASE}/console/api/session`, { headers: { Cookie: forged } }))
        .status,
    ).toBe(401);
  });
});
