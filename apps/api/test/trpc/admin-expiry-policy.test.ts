import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import type { ConsentView } from "../../src/services/consents/view.ts";
import type { ProfileView } from "../../src/services/profiles/view.ts";
import { keyChecks } from "../support/access-checks.ts";
import { snapshot, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "../support/factories.ts";
import { type CallOptions, expectError, expectOk, mutate, query } from "../support/http.ts";
import { DAY_MS, daysAgo, dayText } from "../support/time.ts";

interface PolicyAnswer {
  consent: ConsentView;
  changed: boolean;
  clocksReset: boolean;
}

function expiry(tenant: TestTenant, verb: string, input: unknown, options: CallOptions = {}) {
  return mutate<PolicyAnswer>(`admin.expiry.${verb}`, input, { key: tenant.secretKey, ...options });
}

/** The same Worker with a clock `days` days behind. */
function appDaysAgo(days: number) {
  return createApp({ now: () => Date.now() - days * DAY_MS });
}

async function importAccepted(tenant: TestTenant, items: [string, string, number][]) {
  expectOk(
    await mutate(
      "admin.profiles.import",
      {
        items: items.map(([profileId, consent, days]) => ({
          profileId,
          consent,
          status: "accepted",
          changedAt: daysAgo(days),
        })),
      },
      { key: tenant.secretKey },
    ),
  );
}

async function expiresOn(tenant: TestTenant, profileId: string, consent: string) {
  const view = expectOk(
    await query<ProfileView>("profile.get", { profileId }, { key: tenant.secretKey }),
  );
  return view.consents.find((c) => c.consent === consent)?.expiresOn;
}

const NO_POLICY = [
  { key: "push", kind: "opt_in" as const, title: "Push", description: "", entryEvents: [] },
];

describe("admin.expiry.configure", () => {
  it("a first configuration sets days and extending events, disabled", async () => {
    const tenant = await createTenant({ consents: NO_POLICY });
    const answer = expectOk(
      await expiry(tenant, "configure", {
        consent: "push",
        days: 90,
        extendOn: ["consent_accepted", "email_clicked", "email_clicked"],
      }),
    );
    expect(answer).toEqual({
      consent: expect.objectContaining({
        key: "push",
        expiry: {
          days: 90,
          extendOn: ["email_clicked", "consent_accepted"],
          enabled: false,
          activatedAt: null,
          activatedOn: null,
        },
      }),
      changed: true,
      clocksReset: false,
    });
    const listed = expectOk(
      await query<ConsentView[]>("admin.consents.list", undefined, { key: tenant.secretKey }),
    );
    expect(listed[0]?.expiry).toEqual(answer.consent.expiry);
  });

  it("a first configuration without days: 412 EXPIRY_NOT_CONFIGURED and nothing changed", async () => {
    const tenant = await createTenant({ consents: NO_POLICY });
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "configure", { consent: "push", extendOn: ["email_clicked"] }),
    );
    expect(expectError(result, 412, "EXPIRY_NOT_CONFIGURED").message).toMatch(/days/);
  });

  it("R8: extending events may change while expiry is off", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const answer = expectOk(
      await expiry(tenant, "configure", {
        consent: "sms",
        extendOn: ["sms_clicked", "loyalty_page_visited"],
      }),
    );
    expect(answer.consent.expiry?.extendOn).toEqual(["sms_clicked", "loyalty_page_visited"]);
    expect(answer.changed).toBe(true);
  });

  it("R8: changing extendOn while enabled: 409 EXPIRY_ACTIVE, says what to do, changes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await expiry(tenant, "activate", { consent: "sms" }));
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "configure", { consent: "sms", days: 30, extendOn: ["email_clicked"] }),
    );
    const error = expectError(result, 409, "EXPIRY_ACTIVE");
    expect(error.message).toMatch(/Deactivate/);
    expect(error.message).toMatch(/reconfigure/);
  });

  it("R8: the same extending events in another order are no change while enabled", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }));
    const before = await snapshot(tenant.tenantId);
    const answer = expectOk(
      await expiry(tenant, "configure", {
        consent: "newsletter",
        extendOn: ["consent_accepted", "order_placed", "email_clicked"],
      }),
    );
    expect(answer.changed).toBe(false);
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R8: days may change while enabled; the clocks are not reset", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [["p1", "newsletter", 100]]);
    const activated = expectOk(
      await expiry(tenant, "activate", { consent: "newsletter" }, { app: appDaysAgo(20) }),
    );
    const answer = expectOk(await expiry(tenant, "configure", { consent: "newsletter", days: 30 }));
    expect(answer).toMatchObject({ changed: true, clocksReset: false });
    expect(answer.consent.expiry).toEqual({ ...activated.consent.expiry, days: 30 });
    expect(await expiresOn(tenant, "p1", "newsletter")).toBe(dayText(-20 + 30));
  });
});

describe("admin.expiry.activate", () => {
  it("R7: expiresOn becomes max(last activity, activation day) + days", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [
      ["old", "newsletter", 100],
      ["recent", "newsletter", 10],
    ]);
    expect(await expiresOn(tenant, "old", "newsletter")).toBeNull();
    const answer = expectOk(
      await expiry(tenant, "activate", { consent: "newsletter" }, { app: appDaysAgo(30) }),
    );
    expect(answer).toMatchObject({ changed: true, clocksReset: true });
    expect(answer.consent.expiry).toMatchObject({ enabled: true, activatedOn: dayText(-30) });
    // The activation day starts the old profile's clock; the recent one's is later.
    expect(await expiresOn(tenant, "old", "newsletter")).toBe(dayText(-30 + 365));
    expect(await expiresOn(tenant, "recent", "newsletter")).toBe(dayText(-10 + 365));
  });

  it("R7: activating today starts every existing clock today", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [
      ["old", "newsletter", 800],
      ["recent", "newsletter", 1],
    ]);
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }));
    expect(await expiresOn(tenant, "old", "newsletter")).toBe(dayText(365));
    expect(await expiresOn(tenant, "recent", "newsletter")).toBe(dayText(365));
  });

  it("R7: activating is one write: no state or log row is touched", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [
      ["p1", "newsletter", 100],
      ["p2", "newsletter", 50],
      ["p3", "sms", 10],
    ]);
    const before = await snapshot(tenant.tenantId);
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }));
    const after = await snapshot(tenant.tenantId);
    expect(after.state).toEqual(before.state);
    expect(after.entry).toEqual(before.entry);
    expect(after.api_key).toEqual(before.api_key);
    // Only the newsletter row of the catalogue changed.
    const changed = (after.consent ?? []).filter(
      (row, i) => JSON.stringify(row) !== JSON.stringify(before.consent?.[i]),
    );
    expect(changed).toEqual([expect.objectContaining({ key: "newsletter", expiry_enabled: 1 })]);
  });

  it("R7: activating an active policy changes nothing (its clocks are not reset)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }, { app: appDaysAgo(30) }));
    const before = await snapshot(tenant.tenantId);
    const answer = expectOk(await expiry(tenant, "activate", { consent: "newsletter" }));
    expect(answer).toMatchObject({ changed: false, clocksReset: false });
    expect(answer.consent.expiry?.activatedOn).toBe(dayText(-30));
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R7: a re-activation resets every clock to its day", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [["old", "newsletter", 100]]);
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }, { app: appDaysAgo(30) }));
    expect(await expiresOn(tenant, "old", "newsletter")).toBe(dayText(-30 + 365));
    expectOk(await expiry(tenant, "deactivate", { consent: "newsletter" }));
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }));
    expect(await expiresOn(tenant, "old", "newsletter")).toBe(dayText(365));
  });

  it("without a configuration: 412 EXPIRY_NOT_CONFIGURED and nothing changed", async () => {
    const tenant = await createTenant({ consents: NO_POLICY });
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "activate", { consent: "push" }),
    );
    expect(expectError(result, 412, "EXPIRY_NOT_CONFIGURED").message).toMatch(/Configure/);
  });
});

describe("admin.expiry.reconfigure", () => {
  it("R8: applies new extending events and re-activates in one step, answering clocksReset", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [["p1", "sms", 100]]);
    expectOk(await expiry(tenant, "activate", { consent: "sms" }, { app: appDaysAgo(30) }));
    const answer = expectOk(
      await expiry(tenant, "reconfigure", {
        consent: "sms",
        days: 90,
        extendOn: ["sms_clicked", "loyalty_page_visited"],
      }),
    );
    expect(answer).toMatchObject({ changed: true, clocksReset: true });
    expect(answer.consent.expiry).toMatchObject({
      days: 90,
      extendOn: ["sms_clicked", "loyalty_page_visited"],
      enabled: true,
      activatedOn: dayText(0),
    });
    expect(await expiresOn(tenant, "p1", "sms")).toBe(dayText(90));
    // The new criteria apply at once.
    const tracked = expectOk(
      await mutate(
        "events.track",
        { events: [{ profileId: "p1", type: "loyalty_page_visited", occurredAt: daysAgo(0) }] },
        { key: tenant.secretKey },
      ),
    );
    expect(tracked).toMatchObject({ extended: 1 });
  });

  it("keeps the days when none are given", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const answer = expectOk(
      await expiry(tenant, "reconfigure", { consent: "sms", extendOn: ["email_clicked"] }),
    );
    expect(answer.consent.expiry).toMatchObject({ days: 180, enabled: true });
  });

  it("a consent never configured needs days: 412 and nothing changed", async () => {
    const tenant = await createTenant({ consents: NO_POLICY });
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "reconfigure", { consent: "push", extendOn: [] }),
    );
    expectError(result, 412, "EXPIRY_NOT_CONFIGURED");
  });

  it("extendOn is required: 400 and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "reconfigure", { consent: "sms", days: 30 }),
    );
    expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([
      "extendOn",
    ]);
  });
});

describe("admin.expiry.deactivate", () => {
  it("R9: expiresOn becomes null, and last activity keeps being recorded", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await importAccepted(tenant, [["p1", "newsletter", 100]]);
    expectOk(await expiry(tenant, "activate", { consent: "newsletter" }));
    expect(await expiresOn(tenant, "p1", "newsletter")).toBe(dayText(365));
    const answer = expectOk(await expiry(tenant, "deactivate", { consent: "newsletter" }));
    expect(answer).toMatchObject({ changed: true, clocksReset: false });
    expect(answer.consent.expiry?.enabled).toBe(false);
    expect(await expiresOn(tenant, "p1", "newsletter")).toBeNull();
    const tracked = expectOk(
      await mutate(
        "events.track",
        { events: [{ profileId: "p1", type: "email_clicked", occurredAt: daysAgo(1) }] },
        { key: tenant.secretKey },
      ),
    );
    expect(tracked).toMatchObject({ extended: 1 });
    const view = expectOk(
      await query<ProfileView>("profile.get", { profileId: "p1" }, { key: tenant.secretKey }),
    );
    expect(view.consents.find((c) => c.consent === "newsletter")).toMatchObject({
      lastActivityOn: dayText(-1),
      expiresOn: null,
    });
  });

  it("R9: deactivating a disabled policy changes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const before = await snapshot(tenant.tenantId);
    expect(expectOk(await expiry(tenant, "deactivate", { consent: "sms" })).changed).toBe(false);
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("without a configuration: 412 EXPIRY_NOT_CONFIGURED and nothing changed", async () => {
    const tenant = await createTenant({ consents: NO_POLICY });
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "deactivate", { consent: "push" }),
    );
    expectError(result, 412, "EXPIRY_NOT_CONFIGURED");
  });
});

describe("admin.expiry: bad input and unknown consents", () => {
  const cases: [string, string, Record<string, unknown>, number, string][] = [
    ["days of 0", "configure", { consent: "sms", days: 0 }, 400, "BAD_REQUEST"],
    ["days over 3650", "configure", { consent: "sms", days: 3651 }, 400, "BAD_REQUEST"],
    ["fractional days", "configure", { consent: "sms", days: 1.5 }, 400, "BAD_REQUEST"],
    ["days as text", "configure", { consent: "sms", days: "30" }, 400, "BAD_REQUEST"],
    [
      "an unknown event type",
      "configure",
      { consent: "sms", extendOn: ["page_viewed"] },
      400,
      "BAD_REQUEST",
    ],
    ["an extra field", "configure", { consent: "sms", enabled: true }, 400, "BAD_REQUEST"],
    [
      "an extra field",
      "activate",
      { consent: "sms", at: "2020-01-01T00:00:00Z" },
      400,
      "BAD_REQUEST",
    ],
    ["an unknown consent", "configure", { consent: "nope", days: 30 }, 404, "NOT_FOUND"],
    ["an unknown consent", "activate", { consent: "nope" }, 404, "NOT_FOUND"],
    ["an unknown consent", "deactivate", { consent: "nope" }, 404, "NOT_FOUND"],
    ["an unknown consent", "reconfigure", { consent: "nope", extendOn: [] }, 404, "NOT_FOUND"],
  ];
  for (const [name, verb, input, status, code] of cases) {
    it(`${verb}: ${name}: ${status} and nothing changed`, async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      const result = await unchanged(tenant.tenantId, () => expiry(tenant, verb, input));
      expectError(result, status, code);
    });
  }

  it("an archived consent: 404 and nothing changed", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await mutate("admin.consents.archive", { key: "sms" }, { key: tenant.secretKey }));
    const result = await unchanged(tenant.tenantId, () =>
      expiry(tenant, "activate", { consent: "sms" }),
    );
    expectError(result, 404, "NOT_FOUND");
  });
});

describe("admin.expiry: R12", () => {
  for (const [verb, input] of [
    ["configure", { consent: "a-only", days: 1 }],
    ["activate", { consent: "a-only" }],
    ["deactivate", { consent: "a-only" }],
    ["reconfigure", { consent: "a-only", extendOn: ["email_clicked"] }],
  ] as const) {
    it(`R12: ${verb} with another tenant's key finds no such consent and changes nothing`, async () => {
      const tenant = await createTenant({
        consents: [
          {
            key: "a-only",
            kind: "opt_in",
            title: "A",
            description: "",
            entryEvents: [],
            expiry: { days: 10, extendOn: [], enabled: true },
          },
        ],
      });
      const other = await createTenant({ consents: DEMO_CONSENTS });
      const result = await unchanged(tenant.tenantId, () => expiry(other, verb, input));
      expect(expectError(result, 404, "NOT_FOUND").message).toBe(
        "No consent 'a-only' in this tenant's catalogue.",
      );
    });
  }
});

const common = {
  type: "mutation" as const,
  scope: "admin" as const,
  publishable: "refused" as const,
};
keyChecks({
  ...common,
  path: "admin.expiry.configure",
  input: () => ({ consent: "sms", days: 30 }),
});
keyChecks({ ...common, path: "admin.expiry.activate", input: () => ({ consent: "sms" }) });
keyChecks({ ...common, path: "admin.expiry.deactivate", input: () => ({ consent: "sms" }) });
keyChecks({
  ...common,
  path: "admin.expiry.reconfigure",
  input: () => ({ consent: "sms", extendOn: ["sms_clicked"] }),
});
