import { dayOf } from "@lapse/consent";
import { describe, expect, it } from "vitest";
import type { ProfileView } from "../../src/services/profiles/view.ts";
import { keyChecks, profileTokenChecks } from "../support/access-checks.ts";
import { historyRows, snapshot, stateRows, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, insertState, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { DAY_MS, daysAgo, dayText } from "../support/time.ts";
import { profileToken } from "../support/tokens.ts";

type Change = { consent: string; status: string };

function update(tenant: TestTenant, profileId: string, changes: Change[], extra = {}) {
  return mutate<ProfileView>(
    "profile.update",
    { profileId, changes, ...extra },
    { key: tenant.secretKey },
  );
}

function statusOf(view: ProfileView, key: string) {
  return view.consents.find((c) => c.consent === key);
}

async function get(tenant: TestTenant, profileId: string) {
  return expectOk(
    await query<ProfileView>("profile.get", { profileId }, { key: tenant.secretKey }),
  );
}

describe("profile.update", () => {
  it("R2: an opt-in moves freely between accepted and refused, from any status", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    for (const status of ["refused", "accepted", "refused", "accepted"]) {
      const view = expectOk(await update(tenant, "p1", [{ consent: "newsletter", status }]));
      expect(statusOf(view, "newsletter")?.status).toBe(status);
      expect(statusOf(await get(tenant, "p1"), "newsletter")?.status).toBe(status);
    }
    expect(await historyRows(tenant.tenantId, "p1")).toHaveLength(4);
  });

  it("answers the profile as it now is, every live consent included", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const view = expectOk(
      await update(tenant, "p1", [
        { consent: "newsletter", status: "accepted" },
        { consent: "sms", status: "refused" },
      ]),
    );
    expect(view).toEqual(await get(tenant, "p1"));
    expect(view.consents.map((c) => [c.consent, c.status])).toEqual([
      ["newsletter", "accepted"],
      ["order", "unknown"],
      ["sms", "refused"],
    ]);
  });

  it("R3: a refused legal basis cannot be accepted again: 409 LEGAL_BASIS_REFUSED", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await update(tenant, "p1", [{ consent: "order", status: "refused" }]));
    const result = await unchanged(tenant.tenantId, () =>
      update(tenant, "p1", [{ consent: "order", status: "accepted" }]),
    );
    const error = expectError(result, 409, "LEGAL_BASIS_REFUSED");
    expect(error.message).toMatch(/order/);
    expect(error.data.issues).toEqual([
      { path: "changes.0.status", message: "a refused legal basis cannot be accepted" },
    ]);
    expect(statusOf(await get(tenant, "p1"), "order")?.status).toBe("refused");
  });

  it("R3: the whole update fails, other changes in the same call are not written either", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await update(tenant, "p1", [{ consent: "order", status: "refused" }]));
    const result = await unchanged(tenant.tenantId, () =>
      update(tenant, "p1", [
        { consent: "newsletter", status: "accepted" },
        { consent: "order", status: "accepted" },
        { consent: "sms", status: "refused" },
      ]),
    );
    const error = expectError(result, 409, "LEGAL_BASIS_REFUSED");
    expect(error.data.issues.map((i) => i.path)).toEqual(["changes.1.status"]);
    const view = await get(tenant, "p1");
    expect(statusOf(view, "newsletter")?.status).toBe("unknown");
    expect(statusOf(view, "sms")?.status).toBe("unknown");
  });

  it("R3: a legal basis from unknown (never asked) can be entered", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const view = expectOk(await update(tenant, "p1", [{ consent: "order", status: "accepted" }]));
    expect(statusOf(view, "order")).toMatchObject({
      status: "accepted",
      lastActivityOn: dayText(0),
    });
  });

  it("R3: a legal basis that lapsed to unknown can be entered again", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const lapsedAt = Date.now() - 2 * DAY_MS;
    await insertState(tenant.tenantId, {
      profileId: "p1",
      consent: "order",
      status: "unknown",
      statusChangedAt: lapsedAt,
      lastActivityDay: dayOf(lapsedAt) - 1100,
      expiredAt: lapsedAt,
    });
    const view = expectOk(await update(tenant, "p1", [{ consent: "order", status: "accepted" }]));
    expect(statusOf(view, "order")).toMatchObject({
      status: "accepted",
      lastActivityOn: dayText(0),
      expiredAt: null,
    });
    const [row] = await historyRows(tenant.tenantId, "p1");
    expect(row).toMatchObject({ from_status: "unknown", to_status: "accepted" });
  });

  it("R3: an accepted legal basis can be refused (the customer objects)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await update(tenant, "p1", [{ consent: "order", status: "accepted" }]));
    const view = expectOk(await update(tenant, "p1", [{ consent: "order", status: "refused" }]));
    expect(statusOf(view, "order")?.status).toBe("refused");
  });

  it("R6: accepting a consent extends the others that list consent_accepted", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    // Old acceptances: newsletter lists consent_accepted, order does not.
    expectOk(
      await mutate(
        "admin.profiles.import",
        {
          items: [
            { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(100) },
            { profileId: "p1", consent: "order", status: "accepted", changedAt: daysAgo(100) },
          ],
        },
        { key: tenant.secretKey },
      ),
    );
    const historyBefore = await historyRows(tenant.tenantId, "p1");
    const view = expectOk(await update(tenant, "p1", [{ consent: "sms", status: "accepted" }]));
    expect(statusOf(view, "newsletter")?.lastActivityOn).toBe(dayText(0));
    expect(statusOf(view, "order")?.lastActivityOn).toBe(dayText(-100));
    const stored = await get(tenant, "p1");
    expect(statusOf(stored, "newsletter")).toMatchObject({
      status: "accepted",
      lastActivityOn: dayText(0),
    });
    expect(statusOf(stored, "order")?.lastActivityOn).toBe(dayText(-100));
    // An extension is not a status change: only sms's acceptance is in the proof trail.
    const historyAfter = await historyRows(tenant.tenantId, "p1");
    expect(historyAfter.slice(historyBefore.length)).toEqual([
      expect.objectContaining({
        consent_key: "sms",
        from_status: "unknown",
        to_status: "accepted",
      }),
    ]);
  });

  it("R6: refusing a consent extends nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "admin.profiles.import",
        {
          items: [
            { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(100) },
          ],
        },
        { key: tenant.secretKey },
      ),
    );
    const view = expectOk(await update(tenant, "p1", [{ consent: "sms", status: "refused" }]));
    expect(statusOf(view, "newsletter")?.lastActivityOn).toBe(dayText(-100));
  });

  it("R5: confirming an accepted consent renews its clock without a history row", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "admin.profiles.import",
        {
          items: [{ profileId: "p1", consent: "sms", status: "accepted", changedAt: daysAgo(100) }],
        },
        { key: tenant.secretKey },
      ),
    );
    const view = expectOk(await update(tenant, "p1", [{ consent: "sms", status: "accepted" }]));
    expect(statusOf(view, "sms")?.lastActivityOn).toBe(dayText(0));
    expect(await historyRows(tenant.tenantId, "p1")).toHaveLength(1);
  });

  it("a repeat of the same changes the same day writes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const changes = [
      { consent: "newsletter", status: "accepted" },
      { consent: "sms", status: "refused" },
    ];
    expectOk(await update(tenant, "p1", changes));
    const before = await snapshot(tenant.tenantId);
    expect(before.entry).toHaveLength(3);
    expectOk(await update(tenant, "p1", changes));
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R11: a back end's change is reason api, a customer's is reason customer, with the channel", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await update(tenant, "p1", [{ consent: "newsletter", status: "accepted" }], {
        context: { channel: "crm-sync" },
      }),
    );
    expectOk(
      await mutate(
        "profile.update",
        {
          profileId: "p1",
          changes: [{ consent: "sms", status: "accepted" }],
          context: { channel: "preference-centre" },
        },
        { key: tenant.publishableKey, token: await profileToken(tenant, "p1") },
      ),
    );
    const rows = await historyRows(tenant.tenantId, "p1");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ consent_key: "newsletter", reason: "api" });
    expect(rows[0]?.actor).toMatch(/^key_[0-9a-z]{20}\/crm-sync$/);
    expect(rows[1]).toMatchObject({ consent_key: "sms", reason: "customer" });
    expect(rows[1]?.actor).toMatch(/^key_[0-9a-z]{20}\/preference-centre$/);
    expect(rows[0]?.actor).not.toBe(rows[1]?.actor);
  });

  describe("bad input: 400 and nothing changed", () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        "an unknown consent key",
        {
          changes: [
            { consent: "newsletter", status: "accepted" },
            { consent: "nope", status: "accepted" },
          ],
        },
        ["changes.1.consent"],
      ],
      [
        "the same consent twice",
        {
          changes: [
            { consent: "sms", status: "accepted" },
            { consent: "sms", status: "refused" },
          ],
        },
        ["changes.1.consent"],
      ],
      [
        "status unknown (only expiry leads there)",
        { changes: [{ consent: "sms", status: "unknown" }] },
        ["changes.0.status"],
      ],
      ["no change", { changes: [] }, ["changes"]],
      [
        "over 100 changes",
        { changes: Array.from({ length: 101 }, () => ({ consent: "sms", status: "accepted" })) },
        ["changes"],
      ],
      [
        "an extra field in a change",
        { changes: [{ consent: "sms", status: "accepted", at: "2026-01-01T00:00:00Z" }] },
        ["changes.0"],
      ],
      [
        "an extra top-level field",
        { changes: [{ consent: "sms", status: "accepted" }], tenantId: "ten_x" },
        [""],
      ],
      [
        "a channel with spaces",
        { changes: [{ consent: "sms", status: "accepted" }], context: { channel: "a b" } },
        ["context.channel"],
      ],
      [
        "a malformed consent key",
        { changes: [{ consent: "News Letter", status: "accepted" }] },
        ["changes.0.consent"],
      ],
    ];
    for (const [name, input, paths] of cases) {
      it(name, async () => {
        const tenant = await createTenant({ consents: DEMO_CONSENTS });
        expectOk(await update(tenant, "p1", [{ consent: "newsletter", status: "refused" }]));
        const result = await unchanged(tenant.tenantId, () =>
          mutate("profile.update", { profileId: "p1", ...input }, { key: tenant.secretKey }),
        );
        const error = expectError(result, 400, "BAD_REQUEST");
        expect(error.data.issues.map((i) => i.path)).toEqual(paths);
      });
    }

    it("an archived consent is an unknown key", async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      expectOk(await mutate("admin.consents.archive", { key: "sms" }, { key: tenant.secretKey }));
      const result = await unchanged(tenant.tenantId, () =>
        update(tenant, "p1", [{ consent: "sms", status: "accepted" }]),
      );
      expect(expectError(result, 400, "BAD_REQUEST").data.issues).toEqual([
        { path: "changes.0.consent", message: "No consent 'sms' in this tenant's catalogue." },
      ]);
    });
  });

  describe("R12: another tenant's key", () => {
    it("cannot name this tenant's consents: they read as keys that exist nowhere", async () => {
      const tenant = await createTenant({
        consents: [{ key: "a-only", kind: "opt_in", title: "A", description: "", entryEvents: [] }],
      });
      const other = await createTenant({ consents: DEMO_CONSENTS });
      const theirs = await unchanged(tenant.tenantId, () =>
        update(other, "p1", [{ consent: "a-only", status: "accepted" }]),
      );
      const nowhere = await update(other, "p1", [{ consent: "b-none", status: "accepted" }]);
      const a = expectError(theirs, 400, "BAD_REQUEST");
      const b = expectError(nowhere, 400, "BAD_REQUEST");
      expect(a.message).toBe(b.message);
      expect(a.data.issues[0]?.message.replace("a-only", "X")).toBe(
        b.data.issues[0]?.message.replace("b-none", "X"),
      );
    });

    it("with the same profile id and consent keys changes its own tenant only", async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      const other = await createTenant({ consents: DEMO_CONSENTS });
      expectOk(await update(tenant, "shared", [{ consent: "order", status: "refused" }]));
      // The other tenant's "order" is its own: accepting it there is no R3 conflict.
      await unchanged(tenant.tenantId, async () =>
        expectOk(await update(other, "shared", [{ consent: "order", status: "accepted" }])),
      );
      expect(statusOf(await get(tenant, "shared"), "order")?.status).toBe("refused");
      expect(await stateRows(other.tenantId)).toHaveLength(1);
    });
  });
});

const spec = {
  path: "profile.update",
  type: "mutation" as const,
  scope: "profiles" as const,
  input: () => ({ profileId: "p-sec", changes: [{ consent: "newsletter", status: "accepted" }] }),
};
keyChecks({ ...spec, publishable: "profile-token" });
profileTokenChecks(spec);
