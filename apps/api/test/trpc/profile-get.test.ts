import { dayOf } from "@lapse/consent";
import { describe, expect, it } from "vitest";
import type { ProfileView } from "../../src/services/profiles/view.ts";
import { keyChecks, profileTokenChecks } from "../support/access-checks.ts";
import { unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, insertState } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { DAY_MS, dayText } from "../support/time.ts";
import { profileToken } from "../support/tokens.ts";

function byConsent(view: ProfileView, key: string) {
  const found = view.consents.find((c) => c.consent === key);
  if (!found) {
    throw new Error(`no consent ${key} in the view`);
  }
  return found;
}

describe("profile.get", () => {
  it("R1: a profile never seen reads as unknown for every live consent", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const view = expectOk(
      await query<ProfileView>("profile.get", { profileId: "p-new" }, { key: tenant.secretKey }),
    );
    expect(view.profileId).toBe("p-new");
    expect(view.consents.map((c) => c.consent)).toEqual(["newsletter", "order", "sms"]);
    for (const c of view.consents) {
      expect(c).toMatchObject({
        status: "unknown",
        statusChangedAt: null,
        lastActivityOn: null,
        expiresOn: null,
        expiredAt: null,
      });
    }
    expect(byConsent(view, "order")).toMatchObject({
      kind: "legal_basis",
      title: "Customer relationship (orders)",
      version: 1,
    });
  });

  it("shows each status with its change time and last activity", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const before = Date.now();
    expectOk(
      await mutate(
        "profile.update",
        {
          profileId: "p1",
          changes: [
            { consent: "newsletter", status: "accepted" },
            { consent: "sms", status: "refused" },
          ],
        },
        { key: tenant.secretKey },
      ),
    );
    const view = expectOk(
      await query<ProfileView>("profile.get", { profileId: "p1" }, { key: tenant.secretKey }),
    );
    const newsletter = byConsent(view, "newsletter");
    expect(newsletter.status).toBe("accepted");
    expect(newsletter.lastActivityOn).toBe(dayText(0));
    expect(Date.parse(newsletter.statusChangedAt ?? "")).toBeGreaterThanOrEqual(before - 1000);
    // The policy is configured but not active: nothing lapses (R9).
    expect(newsletter.expiresOn).toBeNull();
    expect(byConsent(view, "sms")).toMatchObject({ status: "refused", lastActivityOn: null });
    expect(byConsent(view, "order").status).toBe("unknown");
  });

  it("R7: expiresOn is last activity + days once expiry is active, null for other statuses", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const key = { key: tenant.secretKey };
    expectOk(
      await mutate(
        "profile.update",
        {
          profileId: "p1",
          changes: [
            { consent: "newsletter", status: "accepted" },
            { consent: "sms", status: "refused" },
          ],
        },
        key,
      ),
    );
    expectOk(await mutate("admin.expiry.activate", { consent: "newsletter" }, key));
    expectOk(await mutate("admin.expiry.activate", { consent: "sms" }, key));
    const view = expectOk(await query<ProfileView>("profile.get", { profileId: "p1" }, key));
    expect(byConsent(view, "newsletter").expiresOn).toBe(dayText(365));
    expect(byConsent(view, "sms").expiresOn).toBeNull();
  });

  it("R11: a lapsed state keeps expiredAt, so it differs from one never asked", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const lapsedAt = Date.now() - 3 * DAY_MS;
    await insertState(tenant.tenantId, {
      profileId: "p1",
      consent: "newsletter",
      status: "unknown",
      statusChangedAt: lapsedAt,
      lastActivityDay: dayOf(lapsedAt) - 400,
      expiredAt: lapsedAt,
    });
    const view = expectOk(
      await query<ProfileView>("profile.get", { profileId: "p1" }, { key: tenant.secretKey }),
    );
    expect(byConsent(view, "newsletter")).toMatchObject({
      status: "unknown",
      expiredAt: new Date(lapsedAt).toISOString(),
    });
    expect(byConsent(view, "sms")).toMatchObject({ status: "unknown", expiredAt: null });
  });

  it("leaves out archived consents (their states are kept)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const key = { key: tenant.secretKey };
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "sms", status: "accepted" }] },
        key,
      ),
    );
    expectOk(await mutate("admin.consents.archive", { key: "sms" }, key));
    const view = expectOk(await query<ProfileView>("profile.get", { profileId: "p1" }, key));
    expect(view.consents.map((c) => c.consent)).toEqual(["newsletter", "order"]);
  });

  it("answers a storefront (publishable key + profile token) what the back end sees", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: tenant.secretKey },
      ),
    );
    const asBackEnd = expectOk(
      await query("profile.get", { profileId: "p1" }, { key: tenant.secretKey }),
    );
    const asCustomer = expectOk(
      await query(
        "profile.get",
        { profileId: "p1" },
        { key: tenant.publishableKey, token: await profileToken(tenant, "p1") },
      ),
    );
    expect(asCustomer).toEqual(asBackEnd);
  });

  describe("bad input: 400 and nothing changed", () => {
    const cases: [string, unknown, string][] = [
      ["an empty profile id", { profileId: "" }, "profileId"],
      ["a profile id over 128 characters", { profileId: "x".repeat(129) }, "profileId"],
      ["no profile id", {}, "profileId"],
      ["an extra field", { profileId: "p1", tenantId: "ten_other" }, ""],
    ];
    for (const [name, input, path] of cases) {
      it(name, async () => {
        const tenant = await createTenant({ consents: DEMO_CONSENTS });
        const result = await unchanged(tenant.tenantId, () =>
          query("profile.get", input, { key: tenant.secretKey }),
        );
        const error = expectError(result, 400, "BAD_REQUEST");
        expect(error.data.issues.map((i) => i.path)).toContain(path);
      });
    }
  });

  it("R12: another tenant's key reads this tenant's profile id as a profile never seen", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "shared-id", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: tenant.secretKey },
      ),
    );
    const seen = expectOk(
      await query<ProfileView>("profile.get", { profileId: "shared-id" }, { key: other.secretKey }),
    );
    const neverSeen = expectOk(
      await query<ProfileView>("profile.get", { profileId: "nobody" }, { key: other.secretKey }),
    );
    expect(seen.consents).toEqual(neverSeen.consents);
    expect(byConsent(seen, "newsletter").status).toBe("unknown");
  });
});

const spec = {
  path: "profile.get",
  type: "query" as const,
  scope: "profiles" as const,
  input: () => ({ profileId: "p-sec" }),
};
keyChecks({ ...spec, publishable: "profile-token" });
profileTokenChecks(spec);
