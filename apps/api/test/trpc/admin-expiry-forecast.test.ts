/**
 * How many customers lapse on each coming day: the forecast of a consent's policy and the
 * preview of a proposed one (admin.expiry.forecast, admin.expiry.preview).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ConsentView } from "../../src/services/consents/view.ts";
import type { ConsentSeed } from "../../src/services/tenants/provision.ts";
import { nightlyRun } from "../support/cron.ts";
import { unchanged } from "../support/db.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { expectError } from "../support/http.ts";
import { retireTenants, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day, dayName } from "../support/time.ts";

afterEach(retireTenants);

interface Forecast {
  policy: { days: number; extendOn: string[]; enabled: boolean };
  days: { day: string; count: number }[];
  total: number;
}

const WITH_UNCONFIGURED: ConsentSeed[] = [
  ...DEMO_CONSENTS,
  {
    key: "no-expiry",
    kind: "opt_in",
    title: "No expiry configured",
    description: "",
    entryEvents: [],
  },
];

describe("admin.expiry.forecast and preview", () => {
  it("R10: the forecast counts the states lapsing on each day, and the runs of those days expire exactly that", async () => {
    const A = day("2033-03-01");
    const clock = new Clock(at(A, "08:00"));
    const api = await tenantAt(clock, WITH_UNCONFIGURED);
    await api.configure("newsletter", { days: 10 });
    await api.activate("newsletter");
    clock.toDay(A);
    await api.acceptAll(["a-clicks", "a-quiet"], ["newsletter"]);
    clock.toDay(A + 1);
    await api.acceptAll(["b1", "b2"], ["newsletter"]);
    await api.set("b-refuses", { newsletter: "refused" });
    clock.toDay(A + 3);
    await api.acceptAll(["c1"], ["newsletter"]);
    clock.toDay(A + 5);
    await api.acceptAll(["d1"], ["newsletter"]);
    clock.toDay(A + 6);
    await api.track([{ profileId: "a-clicks", type: "email_clicked" }]);

    // Forecast at 01:00, before that night's run.
    clock.toDay(A + 9, "01:00");
    const forecast = await api.ok<Forecast>("query", "admin.expiry.forecast", {
      consent: "newsletter",
      horizonDays: 8,
    });
    const expected = [0, 1, 2, 0, 1, 0, 1, 1];
    expect(forecast.days).toEqual(expected.map((count, i) => ({ day: dayName(A + 9 + i), count })));
    expect(forecast.total).toBe(6);
    expect(forecast.policy).toMatchObject({ days: 10, enabled: true });

    const actual: number[] = [];
    for (let i = 0; i < 8; i++) {
      const runId = await nightlyRun(A + 9 + i);
      actual.push((await api.runFigures(runId, "newsletter"))?.expired ?? 0);
    }
    expect(actual).toEqual(expected);
  });

  it("R9: a disabled policy forecasts no lapse; a consent without policy says EXPIRY_NOT_CONFIGURED", async () => {
    const A = day("2033-03-20");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, WITH_UNCONFIGURED);
    await api.acceptAll(["p1"], ["sms", "no-expiry"]);
    clock.toDay(A + 400);
    const off = await api.ok<Forecast>("query", "admin.expiry.forecast", {
      consent: "sms",
      horizonDays: 3,
    });
    expect(off.policy.enabled).toBe(false);
    expect(off.days.map((d) => d.count)).toEqual([0, 0, 0]);
    expect(off.total).toBe(0);
    expectError(
      await api.query("admin.expiry.forecast", { consent: "no-expiry" }),
      412,
      "EXPIRY_NOT_CONFIGURED",
    );
  });

  it("R7: admin.expiry.preview forecasts a proposed policy before activation, changes nothing, and the runs agree", async () => {
    const A = day("2033-04-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, WITH_UNCONFIGURED);
    await api.acceptAll(["old1", "old2"], ["no-expiry"]);
    clock.toDay(A + 3);
    await api.acceptAll(["new1"], ["no-expiry"]);

    clock.toDay(A + 5, "01:00");
    const preview = await unchanged(api.tenantId, () =>
      api.ok<Forecast>("query", "admin.expiry.preview", {
        consent: "no-expiry",
        days: 10,
        extendOn: ["email_clicked"],
        horizonDays: 12,
      }),
    );
    expect(preview.policy).toEqual({ days: 10, extendOn: ["email_clicked"], enabled: true });
    // R7: every clock starts on the activation day, so all three lapse on A+5+10.
    expect(preview.days.filter((d) => d.count > 0)).toEqual([{ day: dayName(A + 15), count: 3 }]);
    expect(preview.total).toBe(3);
    const catalogue = await api.ok<ConsentView[]>("query", "admin.consents.list");
    expect(catalogue.find((c) => c.key === "no-expiry")?.expiry).toBeNull();

    // The administrator applies the policy now: forecast and runs match the preview.
    await api.configure("no-expiry", { days: 10, extendOn: ["email_clicked"] });
    await api.activate("no-expiry");
    const forecast = await api.ok<Forecast>("query", "admin.expiry.forecast", {
      consent: "no-expiry",
      horizonDays: 12,
    });
    expect(forecast.days).toEqual(preview.days);
    const before = await nightlyRun(A + 14);
    expect((await api.runFigures(before, "no-expiry"))?.expired ?? 0).toBe(0);
    const due = await nightlyRun(A + 15);
    expect(await api.runFigures(due, "no-expiry")).toMatchObject({ expired: 3 });
  });

  it("R8: the preview of new days for an active consent forecasts what configure will do (clocks kept)", async () => {
    const A = day("2033-04-15");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("newsletter"); // 365 days
    await api.acceptAll(["p1", "p2"], ["newsletter"]);
    clock.toDay(A + 100, "01:00");
    const proposal = {
      consent: "newsletter",
      days: 30,
      extendOn: ["email_clicked", "order_placed", "consent_accepted"],
      horizonDays: 40,
    };
    const preview = await api.ok<Forecast>("query", "admin.expiry.preview", proposal);
    // Both are 100 days past their last activity: with 30 days they lapse tonight.
    expect(preview.days[0]).toEqual({ day: dayName(A + 100), count: 2 });
    expect(preview.total).toBe(2);

    await api.configure("newsletter", { days: 30 });
    const night = await nightlyRun(A + 100);
    expect(await api.runFigures(night, "newsletter")).toMatchObject({ expired: 2 });

    // New criteria on an active consent mean reconfigure: every clock restarts today.
    await api.acceptAll(["p3"], ["newsletter"]);
    clock.toDay(A + 120, "01:00");
    const withNewCriteria = await api.ok<Forecast>("query", "admin.expiry.preview", {
      ...proposal,
      extendOn: ["email_clicked"],
    });
    expect(withNewCriteria.days.filter((d) => d.count > 0)).toEqual([
      { day: dayName(A + 150), count: 1 },
    ]);
    // A reconfigure with the same criteria restarts the clocks too, when asked to forecast it.
    const sameCriteriaRestarted = await api.ok<Forecast>("query", "admin.expiry.preview", {
      ...proposal,
      restartClocks: true,
    });
    expect(sameCriteriaRestarted.days.filter((d) => d.count > 0)).toEqual([
      { day: dayName(A + 150), count: 1 },
    ]);
  });
});
