import { env } from "cloudflare:workers";
import type { Scope } from "@lapse/consent";
import { describe, expect, it } from "vitest";
import type { ConsentSeed } from "../../src/services/tenants/provision.ts";
import { unchanged } from "./db.ts";
import { createTenant, DEMO_CONSENTS, insertKey, type TestTenant } from "./factories.ts";
import { type CallOptions, call, expectError, expectOk } from "./http.ts";
import { DAY_MS } from "./time.ts";
import { jwt, profileToken } from "./tokens.ts";

/**
 * The credential checks every procedure shares (docs/rules.md: credentials), run against each procedure from its
 * own test file so they sit beside its happy path. Each rejected call must change nothing.
 */
export interface ProcedureSpec {
  path: string;
  type: "query" | "mutation";
  /** The scope a secret key needs; null when any key will do (catalog.list). */
  scope: Scope | null;
  /** A valid input for this tenant; it may set data up first. */
  input: (tenant: TestTenant) => unknown;
  consents?: ConsentSeed[];
}

const ALL_SCOPES: Scope[] = ["admin", "profiles", "events"];

async function setUp(spec: ProcedureSpec) {
  const tenant = await createTenant({ consents: spec.consents ?? DEMO_CONSENTS });
  const input = await spec.input(tenant);
  const rejected = async (options: CallOptions) =>
    unchanged(tenant.tenantId, () => call(spec.type, spec.path, input, options));
  return { tenant, input, rejected };
}

/** No key, a bad key, a revoked or expired key, a publishable key, a key lacking the scope. */
export function keyChecks(
  spec: ProcedureSpec & { publishable: "refused" | "profile-token" | "allowed" },
) {
  describe(`${spec.path}: API keys (credentials)`, () => {
    it("the same call with a valid secret key succeeds (control)", async () => {
      const { tenant, input } = await setUp(spec);
      expectOk(await call(spec.type, spec.path, input, { key: tenant.secretKey }));
    });

    it("without a key: 401 and nothing changed", async () => {
      const { rejected } = await setUp(spec);
      const error = expectError(await rejected({}), 401, "UNAUTHORIZED");
      expect(error.message).toMatch(/Authorization: Bearer/);
    });

    it("with something that is not a Lapse key: 401 and nothing changed", async () => {
      const { rejected } = await setUp(spec);
      expectError(await rejected({ key: "sk_live_123" }), 401, "UNAUTHORIZED");
    });

    it("with a well-formed key that does not exist: 401 and nothing changed", async () => {
      const { rejected } = await setUp(spec);
      const error = expectError(
        await rejected({ key: `lapse_sk_${"0".repeat(32)}` }),
        401,
        "UNAUTHORIZED",
      );
      expect(error.message).toBe("Unknown API key.");
    });

    it("with a revoked key: 401 and nothing changed", async () => {
      const { tenant, rejected } = await setUp(spec);
      const revoked = await insertKey(tenant, { revokedAt: Date.now() - 1000 });
      const error = expectError(await rejected({ key: revoked.key }), 401, "UNAUTHORIZED");
      expect(error.message).toMatch(/revoked/);
    });

    it("with an expired key: 401 and nothing changed", async () => {
      const { tenant, rejected } = await setUp(spec);
      const expired = await insertKey(tenant, { expiresAt: Date.now() - 1000 });
      const error = expectError(await rejected({ key: expired.key }), 401, "UNAUTHORIZED");
      expect(error.message).toMatch(/expired/);
    });

    if (spec.scope !== null) {
      const scope = spec.scope;
      it(`with a secret key lacking the '${scope}' scope: 403 and nothing changed`, async () => {
        const { tenant, rejected } = await setUp(spec);
        const others = await insertKey(tenant, { scopes: ALL_SCOPES.filter((s) => s !== scope) });
        const error = expectError(await rejected({ key: others.key }), 403, "FORBIDDEN");
        expect(error.message).toContain(`'${scope}'`);
      });

      it(`with a secret key holding only the '${scope}' scope: allowed`, async () => {
        const { tenant, input } = await setUp(spec);
        const only = await insertKey(tenant, { scopes: [scope] });
        expectOk(await call(spec.type, spec.path, input, { key: only.key }));
      });
    }

    if (spec.publishable === "refused") {
      it("with a publishable key (wrong kind): 403 and nothing changed", async () => {
        const { tenant, rejected } = await setUp(spec);
        const error = expectError(await rejected({ key: tenant.publishableKey }), 403, "FORBIDDEN");
        expect(error.message).toMatch(/secret key/);
      });

      it("with a publishable key and a valid profile token: still 403", async () => {
        const { tenant, rejected } = await setUp(spec);
        const token = await profileToken(tenant, "p-any");
        expectError(await rejected({ key: tenant.publishableKey, token }), 403, "FORBIDDEN");
      });
    } else if (spec.publishable === "profile-token") {
      it("with a publishable key and no profile token: 401 and nothing changed", async () => {
        const { tenant, rejected } = await setUp(spec);
        const error = expectError(
          await rejected({ key: tenant.publishableKey }),
          401,
          "UNAUTHORIZED",
        );
        expect(error.message).toMatch(/X-Lapse-Profile-Token/);
      });
    }
  });
}

/**
 * A publishable key reaches one profile only with a valid profile token for it: HS256, the
 * tenant's own signing key, `sub` = that profile, `exp` at most 24 hours ahead.
 */
export function profileTokenChecks(spec: ProcedureSpec) {
  describe(`${spec.path}: profile tokens with a publishable key (credentials)`, () => {
    const profileOf = (input: unknown) => (input as { profileId: string }).profileId;
    const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

    it("a valid token for this profile is accepted (control)", async () => {
      const { tenant, input } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input));
      expectOk(await call(spec.type, spec.path, input, { key: tenant.publishableKey, token }));
    });

    it("a token living exactly 24 hours is accepted", async () => {
      const { tenant, input } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input), { exp: inSeconds(24 * 3600) });
      expectOk(await call(spec.type, spec.path, input, { key: tenant.publishableKey, token }));
    });

    it("a forged token (wrong secret): 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input), { secret: "not-the-secret" });
      expectError(await rejected({ key: tenant.publishableKey, token }), 401, "UNAUTHORIZED");
    });

    it("an expired token: 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input), { exp: inSeconds(-60) });
      const error = expectError(
        await rejected({ key: tenant.publishableKey, token }),
        401,
        "UNAUTHORIZED",
      );
      expect(error.message).toMatch(/expired/);
    });

    it("a token for another profile: 403 and nothing changed", async () => {
      const { tenant, rejected } = await setUp(spec);
      const token = await profileToken(tenant, "someone-else");
      const error = expectError(
        await rejected({ key: tenant.publishableKey, token }),
        403,
        "FORBIDDEN",
      );
      expect(error.message).toMatch(/another profile/);
    });

    it("an unsigned alg:none token: 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await jwt(
        { alg: "none", typ: "JWT", kid: tenant.signingKid },
        { sub: profileOf(input), exp: inSeconds(600) },
        null,
      );
      const error = expectError(
        await rejected({ key: tenant.publishableKey, token }),
        401,
        "UNAUTHORIZED",
      );
      expect(error.message).toMatch(/HS256/);
    });

    it("a token claiming another algorithm (HS512): 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await jwt(
        { alg: "HS512", typ: "JWT", kid: tenant.signingKid },
        { sub: profileOf(input), exp: inSeconds(600) },
        tenant.signingSecret,
      );
      expectError(await rejected({ key: tenant.publishableKey, token }), 401, "UNAUTHORIZED");
    });

    it("a token with an unknown kid: 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input), { kid: "sig_unknown" });
      const error = expectError(
        await rejected({ key: tenant.publishableKey, token }),
        401,
        "UNAUTHORIZED",
      );
      expect(error.message).toMatch(/kid/);
    });

    it("a token without kid: 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await jwt(
        { alg: "HS256", typ: "JWT" },
        { sub: profileOf(input), exp: inSeconds(600) },
        tenant.signingSecret,
      );
      expectError(await rejected({ key: tenant.publishableKey, token }), 401, "UNAUTHORIZED");
    });

    it("a token living more than 24 hours: 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input), { exp: inSeconds(25 * 3600) });
      const error = expectError(
        await rejected({ key: tenant.publishableKey, token }),
        401,
        "UNAUTHORIZED",
      );
      expect(error.message).toMatch(/24 hours/);
    });

    it("a token signed by another tenant: 401 and nothing changed (R12)", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const other = await createTenant();
      const token = await profileToken(other, profileOf(input));
      expectError(await rejected({ key: tenant.publishableKey, token }), 401, "UNAUTHORIZED");
    });

    it("a token whose signing key was revoked: 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await profileToken(tenant, profileOf(input));
      await env.DB.prepare("UPDATE signing_key SET revoked_at = ? WHERE id = ?")
        .bind(Date.now() - DAY_MS, tenant.signingKid)
        .run();
      expectError(await rejected({ key: tenant.publishableKey, token }), 401, "UNAUTHORIZED");
    });

    it("something that is not a JWT: 401 and nothing changed", async () => {
      const { tenant, rejected } = await setUp(spec);
      expectError(
        await rejected({ key: tenant.publishableKey, token: "not-a-jwt" }),
        401,
        "UNAUTHORIZED",
      );
    });

    it("a tampered payload (sub changed after signing): 401 and nothing changed", async () => {
      const { tenant, input, rejected } = await setUp(spec);
      const token = await profileToken(tenant, "someone-else");
      const [header, , signature] = token.split(".");
      const payload = btoa(JSON.stringify({ sub: profileOf(input), exp: inSeconds(600) }))
        .replaceAll("+", "-")
        .replaceAll("/", "_")
        .replace(/=+$/, "");
      expectError(
        await rejected({ key: tenant.publishableKey, token: `${header}.${payload}.${signature}` }),
        401,
        "UNAUTHORIZED",
      );
    });
  });
}
