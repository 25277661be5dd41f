/**
 * The seed page (seed/consent-expiry-spread-fr.txt), paragraph by paragraph, through the API
 * at chosen instants and the Worker's real cron at chosen scheduled times (R4–R10).
 */
import { EVENT_TYPES, type EventType } from "@lapse/consent";
import { afterEach, describe, expect, it } from "vitest";
import type { ConsentView } from "../../src/services/consents/view.ts";
import type { ConsentSeed } from "../../src/services/tenants/provision.ts";
import { fireCron, nightlyRun } from "../support/cron.ts";
import { stateRows, unchanged } from "../support/db.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { expectError } from "../support/http.ts";
import { retireTenants, type TenantApi, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, DAY_MS, day, dayName, iso } from "../support/time.ts";

afterEach(retireTenants);

async function statusOf(api: TenantApi, profileId: string, consent: string) {
  return (await api.profile(profileId))[consent]?.status;
}

describe("seed: « Fonctionnement » — the last activity and the nightly run", () => {
  it("R10: a run lapses an accepted state exactly on lastActivity + days, not the day before", async () => {
    const A = day("2031-02-03");
    const clock = new Clock(at(A, "09:00"));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    // Accepted in the last minute of day A+5: its day is A+5 (R1, UTC days).
    clock.toDay(A + 5, "23:59");
    await api.set("p-edge", { newsletter: "accepted" });
    expect((await api.profile("p-edge")).newsletter).toMatchObject({
      lastActivityOn: dayName(A + 5),
      expiresOn: dayName(A + 35),
    });

    // The last millisecond of the day before: not due.
    const lastInstantBefore = (A + 35) * DAY_MS - 1;
    const before = await nightlyRunAt(lastInstantBefore);
    expect(await statusOf(api, "p-edge", "newsletter")).toBe("accepted");
    expect((await api.runFigures(before, "newsletter"))?.expired).toBe(0);

    // The first millisecond of A+35: due.
    const first = await nightlyRunAt((A + 35) * DAY_MS);
    expect(await statusOf(api, "p-edge", "newsletter")).toBe("unknown");
    expect(await api.runFigures(first, "newsletter")).toMatchObject({
      expired: 1,
      status: "succeeded",
    });
  });

  it("R5: an event dated earlier than the last activity does not move the clock back", async () => {
    const A = day("2031-02-10");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    await api.set("p1", { newsletter: "accepted" });
    clock.toDay(A + 20);
    await api.track([{ profileId: "p1", type: "email_clicked" }]);
    // A late-arriving click from day A+3 changes nothing.
    const late = await api.track([
      { profileId: "p1", type: "email_clicked", occurredAt: at(A + 3) },
    ]);
    expect(late.extended).toBe(0);
    expect((await api.profile("p1")).newsletter?.expiresOn).toBe(dayName(A + 50));
    await nightlyRun(A + 49);
    expect(await statusOf(api, "p1", "newsletter")).toBe("accepted");
    await nightlyRun(A + 50);
    expect(await statusOf(api, "p1", "newsletter")).toBe("unknown");
  });
});

async function nightlyRunAt(scheduledTime: number): Promise<string> {
  const runId = await fireCron(scheduledTime);
  expect(runId).not.toBeNull();
  return runId as string;
}

/** Seven opt-ins, each extended by exactly one event type, plus one without expiry. */
const ONE_CONSENT_PER_EVENT: ConsentSeed[] = [
  ...EVENT_TYPES.map((type) => ({
    key: `ext-${type}`.replaceAll("_", "-"),
    kind: "opt_in" as const,
    title: `Extended by ${type}`,
    description: "",
    entryEvents: [],
    expiry: { days: 10, extendOn: [type] },
  })),
  {
    key: "other",
    kind: "opt_in",
    title: "Another consent, no expiry",
    description: "",
    entryEvents: [],
  },
];
const keyOf = (type: EventType) => `ext-${type}`.replaceAll("_", "-");
const EXTENDED_KEYS = EVENT_TYPES.map(keyOf);

describe("seed: « Listes des événements » — each event type extends only where configured", () => {
  it.each(EVENT_TYPES)(
    "R5: %s moves the clock of the consent that lists it, and of no other",
    async (type) => {
      const A = day("2031-03-02");
      const clock = new Clock(at(A, "08:00"));
      const api = await tenantAt(clock, ONE_CONSENT_PER_EVENT);
      for (const key of EXTENDED_KEYS) {
        await api.activate(key);
      }
      clock.toDay(A);
      await api.acceptAll(["p1"], EXTENDED_KEYS);

      clock.toDay(A + 4);
      if (type === "consent_accepted") {
        // Emitted by the service itself when the customer accepts another consent (R6).
        await api.set("p1", { other: "accepted" });
      } else {
        const tracked = await api.track([{ profileId: "p1", type }]);
        expect(tracked.extended).toBe(1);
      }
      const view = await api.profile("p1");
      for (const t of EVENT_TYPES) {
        expect(view[keyOf(t)], `${keyOf(t)} after ${type}`).toMatchObject(
          t === type
            ? { lastActivityOn: dayName(A + 4), expiresOn: dayName(A + 14) }
            : { lastActivityOn: dayName(A), expiresOn: dayName(A + 10) },
        );
      }

      const night10 = await nightlyRun(A + 10);
      const after10 = await api.profile("p1");
      for (const t of EVENT_TYPES) {
        expect(after10[keyOf(t)]?.status, `${keyOf(t)} on day 10`).toBe(
          t === type ? "accepted" : "unknown",
        );
      }
      expect((await api.run(night10)).expired).toBe(6);

      await nightlyRun(A + 13);
      expect(await statusOf(api, "p1", keyOf(type))).toBe("accepted");
      const night14 = await nightlyRun(A + 14);
      expect(await statusOf(api, "p1", keyOf(type))).toBe("unknown");
      expect(await api.runFigures(night14, keyOf(type))).toMatchObject({ expired: 1 });
    },
  );

  it("R6: accepting another consent extends the consents that list consent_accepted", async () => {
    const A = day("2031-03-20");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("newsletter"); // 365 days, extended by consent_accepted
    await api.activate("sms"); // 180 days, extended by sms_clicked only
    await api.set("p1", { newsletter: "accepted", sms: "accepted" });

    clock.toDay(A + 100);
    await api.set("p1", { order: "accepted" });
    const view = await api.profile("p1");
    expect(view.newsletter).toMatchObject({
      lastActivityOn: dayName(A + 100),
      expiresOn: dayName(A + 465),
    });
    expect(view.sms).toMatchObject({ lastActivityOn: dayName(A), expiresOn: dayName(A + 180) });

    await nightlyRun(A + 180);
    expect(await statusOf(api, "p1", "sms")).toBe("unknown");
    expect(await statusOf(api, "p1", "newsletter")).toBe("accepted");
    await nightlyRun(A + 365);
    expect(await statusOf(api, "p1", "newsletter")).toBe("accepted");
    await nightlyRun(A + 465);
    expect(await statusOf(api, "p1", "newsletter")).toBe("unknown");
  });
});

describe("seed: « Lorsque vous activez l'expiration … » — profiles already in the base", () => {
  it("R7: the first activation covers profiles that existed before; their clock starts on the activation day", async () => {
    const clock = new Clock(at(day("2027-05-10")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    // Customers who accepted years before expiry was turned on.
    await api.set("p-2027", { newsletter: "accepted" });
    clock.toDay(day("2030-06-01"));
    await api.set("p-2030", { newsletter: "accepted" });

    const B = day("2031-01-06");
    clock.toDay(B, "15:30");
    const statesBefore = await stateRows(api.tenantId);
    const activated = await api.ok<{ clocksReset: boolean; consent: ConsentView }>(
      "mutation",
      "admin.expiry.activate",
      { consent: "newsletter" },
    );
    expect(activated.clocksReset).toBe(true);
    expect(activated.consent.expiry).toMatchObject({ enabled: true, activatedOn: dayName(B) });
    // No history to rewrite: activation writes no state, however many profiles (O(1)).
    expect(await stateRows(api.tenantId)).toEqual(statesBefore);
    for (const p of ["p-2027", "p-2030"]) {
      expect((await api.profile(p)).newsletter).toMatchObject({
        status: "accepted",
        expiresOn: dayName(B + 365),
      });
    }
    clock.toDay(B + 100);
    await api.set("p-later", { newsletter: "accepted" });

    // Not the night after activation, although their last activity is years old.
    const firstNight = await nightlyRun(B + 1);
    expect(await api.statuses(["p-2027", "p-2030"], "newsletter")).toEqual([
      "accepted",
      "accepted",
    ]);
    // Nothing can be due before activationDay + days: the consent is not even scanned.
    expect(await api.runFigures(firstNight, "newsletter")).toBeUndefined();
    await nightlyRun(B + 364);
    expect(await api.statuses(["p-2027", "p-2030"], "newsletter")).toEqual([
      "accepted",
      "accepted",
    ]);

    const due = await nightlyRun(B + 365);
    expect(await api.statuses(["p-2027", "p-2030", "p-later"], "newsletter")).toEqual([
      "unknown",
      "unknown",
      "accepted",
    ]);
    expect(await api.runFigures(due, "newsletter")).toMatchObject({ expired: 2 });
    // It lapsed at the start of its lapse day, which the run records (R10).
    expect((await api.profile("p-2027")).newsletter?.expiredAt).toBe(iso(at(B + 365, "00:00")));
  });
});

describe("seed: « Attention » — deactivation and re-activation", () => {
  it("R9: deactivating after activity means no expiry however old, and activity is still recorded", async () => {
    const A = day("2031-04-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("newsletter");
    await api.set("p1", { newsletter: "accepted" });
    clock.toDay(A + 30);
    await api.track([{ profileId: "p1", type: "email_clicked" }]);
    clock.toDay(A + 60);
    await api.deactivate("newsletter");
    expect((await api.profile("p1")).newsletter?.expiresOn).toBeNull();

    clock.toDay(A + 200);
    await api.track([{ profileId: "p1", type: "email_clicked" }]);
    expect((await api.profile("p1")).newsletter?.lastActivityOn).toBe(dayName(A + 200));

    for (const night of [A + 395, A + 600, A + 3000]) {
      const runId = await nightlyRun(night);
      expect(await statusOf(api, "p1", "newsletter")).toBe("accepted");
      expect(await api.runFigures(runId, "newsletter")).toBeUndefined();
    }
    expect((await api.history("p1")).map((h) => h.reason)).toEqual(["api"]);
  });

  it("R7: re-activating resets every clock to the re-activation day", async () => {
    const A = day("2031-04-10");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("sms"); // 180 days
    await api.set("p-old", { sms: "accepted" });
    clock.toDay(A + 150);
    await api.set("p-recent", { sms: "accepted" });
    clock.toDay(A + 170);
    await api.deactivate("sms");

    const R = A + 900;
    clock.toDay(R);
    const again = await api.ok<{ clocksReset: boolean }>("mutation", "admin.expiry.activate", {
      consent: "sms",
    });
    expect(again.clocksReset).toBe(true);
    for (const p of ["p-old", "p-recent"]) {
      expect((await api.profile(p)).sms?.expiresOn).toBe(dayName(R + 180));
    }
    await nightlyRun(R + 1);
    await nightlyRun(R + 179);
    expect(await api.statuses(["p-old", "p-recent"], "sms")).toEqual(["accepted", "accepted"]);
    await nightlyRun(R + 180);
    expect(await api.statuses(["p-old", "p-recent"], "sms")).toEqual(["unknown", "unknown"]);
  });
});

describe("seed: « Il faut sélectionner les critères de prolongation avant d'activer »", () => {
  it("R8: changing extendOn while expiry is active is refused with EXPIRY_ACTIVE and changes nothing", async () => {
    const A = day("2031-05-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    await api.set("p1", { newsletter: "accepted" });

    clock.toDay(A + 5);
    const refused = await unchanged(api.tenantId, () =>
      api.mutate("admin.expiry.configure", {
        consent: "newsletter",
        extendOn: ["email_clicked", "sms_clicked"],
      }),
    );
    const error = expectError(refused, 409, "EXPIRY_ACTIVE");
    expect(error.message).toMatch(/deactivate/i);
    expect(error.message).toMatch(/reconfigure/i);

    const catalogue = await api.ok<ConsentView[]>("query", "admin.consents.list");
    expect(catalogue.find((c) => c.key === "newsletter")?.expiry).toMatchObject({
      days: 30,
      extendOn: ["email_clicked", "order_placed", "consent_accepted"],
      enabled: true,
    });
    // The refused criterion does not count: an SMS click does not extend the newsletter.
    clock.toDay(A + 20);
    await api.track([{ profileId: "p1", type: "sms_clicked" }]);
    await nightlyRun(A + 30);
    expect(await statusOf(api, "p1", "newsletter")).toBe("unknown");
  });

  it("R8: reconfigure applies new criteria and resets every clock, even one about to lapse", async () => {
    const A = day("2031-05-10");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30, extendOn: ["email_clicked"] });
    await api.activate("newsletter");
    await api.set("p-about-to-lapse", { newsletter: "accepted" });
    clock.toDay(A + 20);
    await api.set("p-recent", { newsletter: "accepted" });

    const C = A + 29;
    clock.toDay(C);
    const answer = await api.ok<{ clocksReset: boolean; consent: ConsentView }>(
      "mutation",
      "admin.expiry.reconfigure",
      { consent: "newsletter", extendOn: ["email_clicked", "order_placed"] },
    );
    expect(answer.clocksReset).toBe(true);
    expect(answer.consent.expiry).toMatchObject({
      days: 30,
      extendOn: ["email_clicked", "order_placed"],
      enabled: true,
      activatedOn: dayName(C),
    });
    for (const p of ["p-about-to-lapse", "p-recent"]) {
      expect((await api.profile(p)).newsletter?.expiresOn).toBe(dayName(C + 30));
    }
    clock.toDay(C + 10);
    await api.set("p-orders", { newsletter: "accepted" });
    clock.toDay(C + 25);
    await api.track([{ profileId: "p-orders", type: "order_placed" }]);

    const profiles = ["p-about-to-lapse", "p-recent", "p-orders"];
    // The night p-about-to-lapse was due before the reconfiguration: nothing lapses.
    await nightlyRun(A + 30);
    await nightlyRun(C + 29);
    expect(await api.statuses(profiles, "newsletter")).toEqual([
      "accepted",
      "accepted",
      "accepted",
    ]);
    await nightlyRun(C + 30);
    expect(await api.statuses(profiles, "newsletter")).toEqual(["unknown", "unknown", "accepted"]);
    await nightlyRun(C + 55);
    expect(await statusOf(api, "p-orders", "newsletter")).toBe("unknown");
  });

  it("R8: days may change while expiry is active; the new value applies from the next run", async () => {
    const A = day("2031-05-20");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("newsletter"); // 365 days
    await api.activate("sms"); // 180 days
    await api.set("p1", { newsletter: "accepted", sms: "accepted" });

    clock.toDay(A + 10);
    const shorter = await api.ok<{ changed: boolean; consent: ConsentView }>(
      "mutation",
      "admin.expiry.configure",
      { consent: "newsletter", days: 30 },
    );
    expect(shorter.changed).toBe(true);
    expect(shorter.consent.expiry).toMatchObject({ days: 30, enabled: true });
    await api.configure("sms", { days: 400 });
    expect((await api.profile("p1")).newsletter?.expiresOn).toBe(dayName(A + 30));
    expect((await api.profile("p1")).sms?.expiresOn).toBe(dayName(A + 400));

    await nightlyRun(A + 30);
    expect(await statusOf(api, "p1", "newsletter")).toBe("unknown");
    await nightlyRun(A + 180);
    expect(await statusOf(api, "p1", "sms")).toBe("accepted");
    await nightlyRun(A + 400);
    expect(await statusOf(api, "p1", "sms")).toBe("unknown");
  });
});

describe("seed: « On passe en statut inconnu … les bases légales »", () => {
  it("R4: the 'order' legal basis lapses to unknown (expiredAt, reason expired), and a new order brings the customer back (entry_event)", async () => {
    const A = day("2031-06-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("order"); // 1095 days, extended by order_placed and account_upserted
    await api.set("p-customer", { order: "accepted" });

    const lapse = A + 1095;
    await nightlyRun(lapse - 1);
    expect(await statusOf(api, "p-customer", "order")).toBe("accepted");
    await nightlyRun(lapse);
    expect((await api.profile("p-customer")).order).toMatchObject({
      status: "unknown",
      statusChangedAt: iso(at(lapse, "00:00")),
      expiredAt: iso(at(lapse, "00:00")),
      expiresOn: null,
    });
    // R11: "expired" stays distinguishable from "never asked".
    expect((await api.profile("p-never")).order).toMatchObject({
      status: "unknown",
      expiredAt: null,
    });
    expect((await api.history("p-customer")).at(-1)).toMatchObject({
      consent: "order",
      from: "accepted",
      to: "unknown",
      reason: "expired",
      occurredAt: iso(at(lapse, "00:00")),
    });

    // A month later the customer orders again: back in the legal basis.
    clock.toDay(lapse + 30, "18:45");
    const tracked = await api.track([{ profileId: "p-customer", type: "order_placed" }]);
    expect(tracked.entered).toBe(1);
    expect((await api.profile("p-customer")).order).toMatchObject({
      status: "accepted",
      expiredAt: null,
      lastActivityOn: dayName(lapse + 30),
      expiresOn: dayName(lapse + 30 + 1095),
    });
    expect((await api.history("p-customer")).map((h) => [h.from, h.to, h.reason])).toEqual([
      ["unknown", "accepted", "api"],
      ["accepted", "unknown", "expired"],
      ["unknown", "accepted", "entry_event"],
    ]);
    // The next nights leave the returning customer in the basis.
    await nightlyRun(lapse + 31);
    expect(await statusOf(api, "p-customer", "order")).toBe("accepted");
  });

  it("R10: refused and unknown states are never touched by a run, however old", async () => {
    const A = day("2031-06-15");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("newsletter");
    await api.activate("order");
    await api.set("p-refused", { newsletter: "refused", order: "refused" });
    // Accepted once (so it has a last activity), then refused.
    await api.set("p-changed-mind", { newsletter: "accepted", order: "accepted" });
    clock.toDay(A + 1);
    await api.set("p-changed-mind", { newsletter: "refused", order: "refused" });
    await api.set("p-lapses", { newsletter: "accepted" });

    const before = {
      refused: await api.profile("p-refused"),
      changedMind: await api.profile("p-changed-mind"),
      refusedHistory: await api.history("p-refused"),
      changedMindHistory: await api.history("p-changed-mind"),
    };
    await nightlyRun(A + 366);
    const lapsed = await api.profile("p-lapses");
    expect(lapsed.newsletter?.status).toBe("unknown");
    const lapsedHistory = await api.history("p-lapses");

    // Years later, more runs: nothing of the refused or lapsed states moves.
    for (const night of [A + 1200, A + 3650]) {
      await nightlyRun(night);
    }
    expect(await api.profile("p-refused")).toEqual(before.refused);
    expect(await api.profile("p-changed-mind")).toEqual(before.changedMind);
    expect(await api.history("p-refused")).toEqual(before.refusedHistory);
    expect(await api.history("p-changed-mind")).toEqual(before.changedMindHistory);
    expect(await api.profile("p-lapses")).toEqual(lapsed);
    expect(await api.history("p-lapses")).toEqual(lapsedHistory);

    // R3, R4: an order does not bring a refused legal basis back.
    clock.toDay(A + 3651);
    expect((await api.track([{ profileId: "p-refused", type: "order_placed" }])).entered).toBe(0);
    expect(await statusOf(api, "p-refused", "order")).toBe("refused");
  });
});
