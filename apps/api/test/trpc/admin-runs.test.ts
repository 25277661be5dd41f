/**
 * What a brand administrator sees of the nightly expiry: the run history, a run now, the
 * forecast and the preview of a policy, and the change feed a marketing tool polls.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { buildExpiryRuntime } from "../../src/cron/runtime";
import type { ConsentView } from "../../src/services/consents/view";
import { acquireLease, releaseLease } from "../../src/services/expiry/lease";
import { NIGHTLY_LEASE } from "../../src/services/expiry/run-nightly";
import type { ConsentSeed } from "../../src/services/tenants/provision";
import { fireCron, nightlyRun } from "../support/cron";
import { unchanged } from "../support/db";
import { DEMO_CONSENTS } from "../support/factories";
import { expectError } from "../support/http";
import { type RunView, retireTenants, type TenantApi, tenantAt } from "../support/tenant-api";
import { at, Clock, day, dayName, iso, MINUTE_MS, nightOf } from "../support/time";

afterEach(retireTenants);

type RunSummary = Omit<RunView, "perConsent">;

interface Forecast {
  policy: { days: number; extendOn: string[]; enabled: boolean };
  days: { day: string; count: number }[];
  total: number;
}

interface Change {
  profileId: string;
  consent: string;
  consentVersion: number;
  from: string;
  to: string;
  reason: string;
  actor: string;
  occurredAt: string;
  recordedAt: string;
}

interface ChangePage {
  items: Change[];
  nextCursor: string;
}

/** Two tenants of one clock, each with the newsletter (30 days) active since `A`. */
async function twoTenants(A: number) {
  const clock = new Clock(at(A));
  const tenants: TenantApi[] = [];
  for (let i = 0; i < 2; i++) {
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    tenants.push(api);
  }
  return { clock, a: tenants[0] as TenantApi, b: tenants[1] as TenantApi };
}

describe("admin.runs", () => {
  it("R10: admin.runs.trigger while another run holds the lease is a 409 and changes nothing", async () => {
    const A = day("2033-01-01");
    const { clock, a } = await twoTenants(A);
    await a.acceptAll(["a1"], ["newsletter"]);
    clock.toDay(A + 30);
    const db = buildExpiryRuntime(env).runContext.db;
    const nightly = { name: NIGHTLY_LEASE, holder: "run_tonight" };
    await acquireLease(db, { ...nightly, now: clock.now, ttlMs: 10 * MINUTE_MS });
    const busy = await unchanged(a.tenantId, () => a.mutate("admin.runs.trigger", {}));
    expect(expectError(busy, 409, "CONFLICT").message).toMatch(/another expiry run/i);
    await releaseLease(db, nightly);
    expect(await a.ok<RunView>("mutation", "admin.runs.trigger", {})).toMatchObject({
      expired: 1,
    });
  });

  it("R10: admin.runs.trigger runs the expiry now for the caller's tenant only", async () => {
    const A = day("2033-01-03");
    const { clock, a, b } = await twoTenants(A);
    await a.acceptAll(["a1", "a2"], ["newsletter"]);
    await b.acceptAll(["b1"], ["newsletter"]);

    clock.toDay(A + 30, "11:15");
    const run = await a.ok<RunView>("mutation", "admin.runs.trigger", {});
    expect(run).toMatchObject({
      trigger: "admin",
      mode: "inline",
      status: "succeeded",
      scheduledAt: iso(clock.now),
      expired: 2,
      perConsent: [expect.objectContaining({ consent: "newsletter", expired: 2 })],
    });
    expect(await a.statuses(["a1", "a2"], "newsletter")).toEqual(["unknown", "unknown"]);
    // The other brand's customers are left to their own nights.
    expect(await b.statuses(["b1"], "newsletter")).toEqual(["accepted"]);
    expect(await a.ok<RunView>("query", "admin.runs.get", { id: run.id })).toEqual(run);
  });

  it("R10: admin.runs.trigger with asOf in the past replays a missed night", async () => {
    const A = day("2033-01-10");
    const { clock, a } = await twoTenants(A);
    await a.acceptAll(["a1"], ["newsletter"]);
    clock.toDay(A + 33);
    const run = await a.ok<RunView>("mutation", "admin.runs.trigger", {
      asOf: iso(nightOf(A + 30)),
    });
    expect(run).toMatchObject({ scheduledAt: iso(nightOf(A + 30)), expired: 1 });
    expect((await a.profile("a1")).newsletter?.expiredAt).toBe(iso(nightOf(A + 30)));
  });

  it("R10: admin.runs.trigger with asOf in the future is refused with 400 and changes nothing", async () => {
    const A = day("2033-01-20");
    const { clock, a } = await twoTenants(A);
    await a.acceptAll(["a1"], ["newsletter"]);
    clock.toDay(A + 29, "12:00");
    const runsBefore = await a.ok<RunSummary[]>("query", "admin.runs.list");

    for (const asOf of [nightOf(A + 30), clock.now + 60 * MINUTE_MS]) {
      const refused = await unchanged(a.tenantId, () =>
        a.mutate("admin.runs.trigger", { asOf: iso(asOf) }),
      );
      const error = expectError(refused, 400, "BAD_REQUEST");
      expect(error.data.issues).toEqual([expect.objectContaining({ path: "asOf" })]);
    }
    expect(await a.ok<RunSummary[]>("query", "admin.runs.list")).toEqual(runsBefore);
    expect((await a.profile("a1")).newsletter?.status).toBe("accepted");
  });

  it("R10: just before midnight, an asOf a few minutes ahead (tomorrow) is refused: nothing lapses a day early", async () => {
    const A = day("2033-01-25");
    const { clock, a } = await twoTenants(A);
    await a.acceptAll(["a1"], ["newsletter"]);
    // 23:58 on the day before the newsletter is due; asOf is 00:01 the next day.
    clock.toDay(A + 29, "23:58");
    const refused = await unchanged(a.tenantId, () =>
      a.mutate("admin.runs.trigger", { asOf: iso(at(A + 30, "00:01")) }),
    );
    expectError(refused, 400, "BAD_REQUEST");
    expect((await a.profile("a1")).newsletter?.status).toBe("accepted");
  });

  it("R12: another tenant's admin-triggered run is NOT_FOUND, exactly like an id that does not exist", async () => {
    const A = day("2033-02-01");
    const { clock, a, b } = await twoTenants(A);
    await a.acceptAll(["a1"], ["newsletter"]);
    clock.toDay(A + 30);
    const run = await a.ok<RunView>("mutation", "admin.runs.trigger", {});

    const theirs = expectError(await b.query("admin.runs.get", { id: run.id }), 404, "NOT_FOUND");
    const nobody = expectError(
      await b.query("admin.runs.get", { id: "run_doesnotexist0000000" }),
      404,
      "NOT_FOUND",
    );
    expect(theirs.message.replace(run.id, "<id>")).toBe(
      nobody.message.replace("run_doesnotexist0000000", "<id>"),
    );
    const listed = await b.ok<RunSummary[]>("query", "admin.runs.list", { limit: 100 });
    expect(listed.map((r) => r.id)).not.toContain(run.id);
    expect(
      (await a.ok<RunSummary[]>("query", "admin.runs.list", { limit: 100 })).map((r) => r.id),
    ).toContain(run.id);
  });

  it("R12: a cron run shows each tenant only its own per-consent figures", async () => {
    const A = day("2033-02-10");
    const { a, b } = await twoTenants(A);
    await a.activate("sms");
    await b.configure("sms", { days: 30 });
    await b.activate("sms");
    await a.acceptAll(["a1", "a2"], ["newsletter"]);
    await b.acceptAll(["b1", "b2", "b3"], ["newsletter", "sms"]);

    const runId = await nightlyRun(A + 30);
    const seenByA = await a.run(runId);
    const seenByB = await b.run(runId);
    expect(seenByA).toMatchObject({ trigger: "cron", expired: 2, consents: 1 });
    expect(seenByA.perConsent.map((c) => [c.consent, c.expired])).toEqual([["newsletter", 2]]);
    expect(seenByB).toMatchObject({ expired: 6, consents: 2 });
    expect(seenByB.perConsent.map((c) => [c.consent, c.expired])).toEqual([
      ["newsletter", 3],
      ["sms", 3],
    ]);
    const listedByA = (await a.ok<RunSummary[]>("query", "admin.runs.list", { limit: 100 })).find(
      (r) => r.id === runId,
    );
    expect(listedByA).toMatchObject({ expired: 2, consents: 1, status: "succeeded" });
  });
});

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

describe("admin.changes.list, the change feed", () => {
  async function allPages(api: TenantApi, limit: number, cursor?: string) {
    const pages: ChangePage[] = [];
    let next = cursor;
    for (;;) {
      const page = await api.ok<ChangePage>("query", "admin.changes.list", {
        ...(next === undefined ? {} : { cursor: next }),
        limit,
      });
      pages.push(page);
      if (page.items.length === 0) return pages;
      next = page.nextCursor;
    }
  }

  it("R11: pages follow the cursor with no gap and no repeat, and include last night's lapses", async () => {
    const A = day("2033-05-01");
    const { clock, a, b } = await twoTenants(A);
    const customers = ["a1", "a2", "a3", "a4", "a5"];
    for (const [i, id] of customers.entries()) {
      await a.set(id, { newsletter: "accepted" });
      // The other brand writes in between: its rows interleave with ours in the table.
      await b.set(`b${i + 1}`, { newsletter: "accepted" });
    }
    clock.toDay(A + 1);
    await a.set("a1", { newsletter: "refused" });
    const cursorBeforeNight = (await allPages(a, 1000)).at(-1)?.nextCursor;

    await nightlyRun(A + 30);

    const everything = (await a.ok<ChangePage>("query", "admin.changes.list", { limit: 1000 }))
      .items;
    expect(everything).toHaveLength(5 + 1 + 4);
    const pages = await allPages(a, 3);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3, 1, 0]);
    expect(pages.flatMap((p) => p.items)).toEqual(everything);
    // An empty page hands back the same cursor, to poll again later.
    const [last, empty] = pages.slice(-2);
    expect(empty?.nextCursor).toBe(last?.nextCursor);

    expect(everything.every((c) => c.profileId.startsWith("a"))).toBe(true);
    const lapses = everything.filter((c) => c.reason === "expired");
    expect(lapses.map((c) => c.profileId).sort()).toEqual(["a2", "a3", "a4", "a5"]);
    for (const lapse of lapses) {
      expect(lapse).toMatchObject({
        consent: "newsletter",
        consentVersion: 1,
        from: "accepted",
        to: "unknown",
        occurredAt: iso(nightOf(A + 30)),
      });
    }

    // A marketing tool that polled before the night learns exactly the lapses, once.
    const morning = await a.ok<ChangePage>("query", "admin.changes.list", {
      cursor: cursorBeforeNight,
    });
    expect(morning.items).toEqual(lapses);
    const again = await a.ok<ChangePage>("query", "admin.changes.list", {
      cursor: morning.nextCursor,
    });
    expect(again).toEqual({ items: [], nextCursor: morning.nextCursor });
  });

  it("R12: another tenant's changes never appear, whatever the cursor", async () => {
    const A = day("2033-05-10");
    const { a, b } = await twoTenants(A);
    await a.acceptAll(["a1", "a2"], ["newsletter"]);
    await b.acceptAll(["b1", "b2", "b3"], ["newsletter"]);
    await nightlyRun(A + 30);

    const ofB = (await allPages(b, 2)).flatMap((p) => p.items);
    expect(ofB.map((c) => [c.profileId, c.reason])).toEqual([
      ["b1", "api"],
      ["b2", "api"],
      ["b3", "api"],
      ["b1", "expired"],
      ["b2", "expired"],
      ["b3", "expired"],
    ]);
    // Starting from the other tenant's first cursor still shows only one's own rows.
    const firstOfA = await a.ok<ChangePage>("query", "admin.changes.list", { limit: 1 });
    const fromACursor = (await allPages(b, 100, "0")).flatMap((p) => p.items);
    expect(fromACursor).toEqual(ofB);
    const bFromThere = await b.ok<ChangePage>("query", "admin.changes.list", {
      cursor: firstOfA.nextCursor,
    });
    expect(bFromThere.items.every((c) => c.profileId.startsWith("b"))).toBe(true);
  });

  it.each(["abc", "-1", "1.5", "01", "99999999999999999", ""])(
    "R11: a cursor this API did not return (%j) is refused with 400",
    async (cursor) => {
      const clock = new Clock(at(day("2033-05-20")));
      const api = await tenantAt(clock, DEMO_CONSENTS);
      const refused = await api.query("admin.changes.list", { cursor });
      const error = expectError(refused, 400, "BAD_REQUEST");
      expect(error.data.issues).toEqual([expect.objectContaining({ path: "cursor" })]);
    },
  );

  it("R10: a lapse is reported once even when the night is run twice", async () => {
    const A = day("2033-06-01");
    const { a } = await twoTenants(A);
    await a.acceptAll(["a1"], ["newsletter"]);
    const start = (await a.ok<ChangePage>("query", "admin.changes.list", {})).nextCursor;
    await fireCron(nightOf(A + 30));
    await fireCron(nightOf(A + 30));
    const feed = await a.ok<ChangePage>("query", "admin.changes.list", { cursor: start });
    expect(feed.items.map((c) => [c.profileId, c.reason])).toEqual([["a1", "expired"]]);
  });
});
