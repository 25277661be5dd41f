import { dayOf } from "@lapse/consent";
import { describe, expect, it } from "vitest";
import type { ProfileView } from "../../src/services/profiles/view.ts";
import { keyChecks } from "../support/access-checks.ts";
import { historyRows, snapshot, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, insertState, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { DAY_MS, daysAgo, dayText } from "../support/time.ts";

interface ImportAnswer {
  imported: number;
  unchanged: number;
}

type Item = {
  profileId: string;
  consent: string;
  status: string;
  changedAt: string;
  lastActivityAt?: string;
};

function importItems(tenant: TestTenant, items: unknown[]) {
  return mutate<ImportAnswer>("admin.profiles.import", { items }, { key: tenant.secretKey });
}

async function consentsOf(tenant: TestTenant, profileId: string) {
  const view = expectOk(
    await query<ProfileView>("profile.get", { profileId }, { key: tenant.secretKey }),
  );
  return Object.fromEntries(view.consents.map((c) => [c.consent, c]));
}

describe("admin.profiles.import", () => {
  it("writes back-dated states with their own times and last activity", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const changedAt = daysAgo(200);
    const answer = expectOk(
      await importItems(tenant, [
        {
          profileId: "p1",
          consent: "newsletter",
          status: "accepted",
          changedAt,
          lastActivityAt: daysAgo(50),
        },
        { profileId: "p1", consent: "sms", status: "refused", changedAt: daysAgo(30) },
        { profileId: "p2", consent: "order", status: "accepted", changedAt: daysAgo(10) },
      ]),
    );
    expect(answer).toEqual({ imported: 3, unchanged: 0 });
    const p1 = await consentsOf(tenant, "p1");
    expect(p1.newsletter).toMatchObject({
      status: "accepted",
      statusChangedAt: changedAt,
      lastActivityOn: dayText(-50),
    });
    expect(p1.sms).toMatchObject({ status: "refused", lastActivityOn: null });
    expect((await consentsOf(tenant, "p2")).order).toMatchObject({
      status: "accepted",
      lastActivityOn: dayText(-10),
    });
  });

  it("a last activity before the acceptance counts from the acceptance", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await importItems(tenant, [
        {
          profileId: "p1",
          consent: "sms",
          status: "accepted",
          changedAt: daysAgo(20),
          lastActivityAt: daysAgo(90),
        },
      ]),
    );
    expect((await consentsOf(tenant, "p1")).sms?.lastActivityOn).toBe(dayText(-20));
  });

  it("R11: each imported status change is one history row with reason import, back-dated", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const changedAt = daysAgo(200);
    const before = Date.now();
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt },
        { profileId: "p1", consent: "order", status: "refused", changedAt: daysAgo(100) },
      ]),
    );
    const rows = await historyRows(tenant.tenantId, "p1");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      consent_key: "newsletter",
      consent_version: 1,
      from_status: "unknown",
      to_status: "accepted",
      reason: "import",
      occurred_at: Date.parse(changedAt),
    });
    expect(rows[0]?.actor).toMatch(/^key_[0-9a-z]{20}$/);
    expect(rows[0]?.recorded_at).toBeGreaterThanOrEqual(before - 1000);
    expect(rows[1]).toMatchObject({ consent_key: "order", to_status: "refused", reason: "import" });
  });

  it("re-sending the same import changes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const items: Item[] = [
      { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(200) },
      { profileId: "p1", consent: "order", status: "refused", changedAt: daysAgo(100) },
      { profileId: "p2", consent: "sms", status: "accepted", changedAt: daysAgo(3) },
    ];
    expect(expectOk(await importItems(tenant, items))).toEqual({ imported: 3, unchanged: 0 });
    const before = await snapshot(tenant.tenantId);
    expect(expectOk(await importItems(tenant, items))).toEqual({ imported: 0, unchanged: 3 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("the newer fact wins: an older item changes nothing, a newer one applies", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(50) },
      ]),
    );
    const before = await snapshot(tenant.tenantId);
    expect(
      expectOk(
        await importItems(tenant, [
          { profileId: "p1", consent: "newsletter", status: "refused", changedAt: daysAgo(60) },
        ]),
      ),
    ).toEqual({ imported: 0, unchanged: 1 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
    expect(
      expectOk(
        await importItems(tenant, [
          { profileId: "p1", consent: "newsletter", status: "refused", changedAt: daysAgo(40) },
        ]),
      ),
    ).toEqual({ imported: 1, unchanged: 0 });
    expect((await consentsOf(tenant, "p1")).newsletter?.status).toBe("refused");
    expect(await historyRows(tenant.tenantId, "p1")).toHaveLength(2);
  });

  it("a live change made after the imported time is kept", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "sms", status: "refused" }] },
        { key: tenant.secretKey },
      ),
    );
    const before = await snapshot(tenant.tenantId);
    expect(
      expectOk(
        await importItems(tenant, [
          { profileId: "p1", consent: "sms", status: "accepted", changedAt: daysAgo(1) },
        ]),
      ),
    ).toEqual({ imported: 0, unchanged: 1 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R3: a refused legal basis is never accepted by import: 409, nothing imported", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "order", status: "refused", changedAt: daysAgo(10) },
      ]),
    );
    const result = await unchanged(tenant.tenantId, () =>
      importItems(tenant, [
        { profileId: "p2", consent: "newsletter", status: "accepted", changedAt: daysAgo(5) },
        { profileId: "p1", consent: "order", status: "accepted", changedAt: daysAgo(5) },
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(5) },
      ]),
    );
    const error = expectError(result, 409, "LEGAL_BASIS_REFUSED");
    expect(error.data.issues.map((i) => i.path)).toEqual(["items.1.status"]);
    expect((await consentsOf(tenant, "p2")).newsletter?.status).toBe("unknown");
  });

  it("R3: a legal basis that lapsed to unknown may be imported as accepted when newer", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const lapsedAt = Date.now() - 20 * DAY_MS;
    await insertState(tenant.tenantId, {
      profileId: "p1",
      consent: "order",
      status: "unknown",
      statusChangedAt: lapsedAt,
      lastActivityDay: dayOf(lapsedAt) - 1095,
      expiredAt: lapsedAt,
    });
    expect(
      expectOk(
        await importItems(tenant, [
          { profileId: "p1", consent: "order", status: "accepted", changedAt: daysAgo(5) },
        ]),
      ),
    ).toEqual({ imported: 1, unchanged: 0 });
    expect((await consentsOf(tenant, "p1")).order).toMatchObject({
      status: "accepted",
      lastActivityOn: dayText(-5),
      expiredAt: null,
    });
  });

  it("R6 is for live acceptances: an imported acceptance extends nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(100) },
      ]),
    );
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "sms", status: "accepted", changedAt: daysAgo(1) },
      ]),
    );
    expect((await consentsOf(tenant, "p1")).newsletter?.lastActivityOn).toBe(dayText(-100));
  });

  // "Newer wins" comes before R3: an older acceptance of a basis refused since is ignored, not
  // a LEGAL_BASIS_REFUSED for the whole batch.
  it("re-sending an import after the customer refused the basis since changes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const items = [
      { profileId: "p1", consent: "order", status: "accepted", changedAt: daysAgo(100) },
    ];
    expectOk(await importItems(tenant, items));
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "order", status: "refused" }] },
        { key: tenant.secretKey },
      ),
    );
    expect(expectOk(await importItems(tenant, items))).toEqual({ imported: 0, unchanged: 1 });
  });

  it("R5: an import never moves a clock back", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(100) },
      ]),
    );
    expectOk(
      await mutate(
        "events.track",
        { events: [{ profileId: "p1", type: "email_clicked", occurredAt: daysAgo(5) }] },
        { key: tenant.secretKey },
      ),
    );
    expectOk(
      await importItems(tenant, [
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: daysAgo(50) },
      ]),
    );
    expect((await consentsOf(tenant, "p1")).newsletter?.lastActivityOn).toBe(dayText(-5));
  });

  describe("bad input: the whole import is refused, each bad item named, nothing written", () => {
    const ok = (i: number): Item => ({
      profileId: `p${i}`,
      consent: "newsletter",
      status: "accepted",
      changedAt: daysAgo(10),
    });
    const cases: [string, () => unknown[], string[]][] = [
      [
        "unknown consent keys",
        () => [ok(0), ok(1), { ...ok(2), consent: "nope" }, { ...ok(3), consent: "other" }],
        ["items.2.consent", "items.3.consent"],
      ],
      [
        "dates more than 5 minutes in the future",
        () => [
          ok(0),
          { ...ok(1), changedAt: daysAgo(-1) },
          ok(2),
          { ...ok(3), lastActivityAt: new Date(Date.now() + 10 * 60_000).toISOString() },
        ],
        ["items.1.changedAt", "items.3.lastActivityAt"],
      ],
      [
        "malformed dates",
        () => [
          { ...ok(0), changedAt: "2024-13-01T00:00:00Z" },
          ok(1),
          { ...ok(2), lastActivityAt: "2024-01-01" },
        ],
        ["items.0.changedAt", "items.2.lastActivityAt"],
      ],
      [
        "several kinds of bad items",
        () => [
          ok(0),
          { ...ok(1), status: "unknown" },
          { ...ok(2), extra: 1 },
          { ...ok(3), profileId: "x".repeat(129) },
        ],
        ["items.1.status", "items.2", "items.3.profileId"],
      ],
      ["the same profile and consent twice", () => [ok(0), ok(1), ok(0)], ["items.2"]],
      ["over 1,000 items", () => Array.from({ length: 1001 }, (_, i) => ok(i)), ["items"]],
      ["no item", () => [], ["items"]],
    ];
    for (const [name, items, paths] of cases) {
      it(name, async () => {
        const tenant = await createTenant({ consents: DEMO_CONSENTS });
        const result = await unchanged(tenant.tenantId, () => importItems(tenant, items()));
        expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual(
          paths,
        );
      });
    }

    it("an archived consent is an unknown key", async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      expectOk(await mutate("admin.consents.archive", { key: "sms" }, { key: tenant.secretKey }));
      const result = await unchanged(tenant.tenantId, () =>
        importItems(tenant, [{ ...ok(0), consent: "sms" }]),
      );
      expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
        "items.0.consent",
      ]);
    });

    it("an extra top-level field", async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      const result = await unchanged(tenant.tenantId, () =>
        mutate(
          "admin.profiles.import",
          { items: [ok(0)], tenantId: "ten_x" },
          { key: tenant.secretKey },
        ),
      );
      expectError(result, 400, "BAD_REQUEST");
    });
  });

  describe("R12: another tenant's key", () => {
    it("cannot name this tenant's consents", async () => {
      const tenant = await createTenant({
        consents: [{ key: "a-only", kind: "opt_in", title: "A", description: "", entryEvents: [] }],
      });
      const other = await createTenant({ consents: DEMO_CONSENTS });
      const result = await unchanged(tenant.tenantId, () =>
        importItems(other, [
          { profileId: "p1", consent: "a-only", status: "accepted", changedAt: daysAgo(1) },
        ]),
      );
      expect(expectError(result, 400, "BAD_REQUEST").data.issues).toEqual([
        { path: "items.0.consent", message: "No consent 'a-only' in this tenant's catalogue." },
      ]);
    });

    it("with the same profile ids and keys writes its own tenant only", async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      const other = await createTenant({ consents: DEMO_CONSENTS });
      expectOk(
        await importItems(tenant, [
          { profileId: "shared", consent: "order", status: "refused", changedAt: daysAgo(10) },
        ]),
      );
      const answer = await unchanged(tenant.tenantId, async () =>
        expectOk(
          await importItems(other, [
            { profileId: "shared", consent: "order", status: "accepted", changedAt: daysAgo(5) },
          ]),
        ),
      );
      expect(answer).toEqual({ imported: 1, unchanged: 0 });
    });
  });
});

keyChecks({
  path: "admin.profiles.import",
  type: "mutation",
  scope: "admin",
  publishable: "refused",
  input: () => ({
    items: [
      {
        profileId: "p-sec",
        consent: "newsletter",
        status: "accepted",
        changedAt: new Date(Date.now() - DAY_MS).toISOString(),
      },
    ],
  }),
});
