/**
 * What a brand administrator sees of the nightly runs: the run history, one run's figures
 * per consent, and a run now (admin.runs.*).
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { buildExpiryRuntime } from "../../src/cron/runtime.ts";
import { acquireLease, releaseLease } from "../../src/services/expiry/lease.ts";
import { NIGHTLY_LEASE } from "../../src/services/expiry/run-nightly.ts";
import { nightlyRun } from "../support/cron.ts";
import { unchanged } from "../support/db.ts";
import { expectError } from "../support/http.ts";
import { type RunView, retireTenants, twoTenants } from "../support/tenant-api.ts";
import { at, day, iso, MINUTE_MS, nightOf } from "../support/time.ts";

afterEach(retireTenants);

type RunSummary = Omit<RunView, "perConsent">;

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
    // The other brand's customers are left to their own nights: their lapse is true at read
    // time (R10) and not recorded yet.
    expect((await b.profile("b1")).newsletter).toMatchObject({ status: "unknown", lapsed: true });
    expect((await a.profile("a1")).newsletter).toMatchObject({ status: "unknown", lapsed: false });
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
    expect((await a.profile("a1")).newsletter?.expiredAt).toBe(iso(at(A + 30, "00:00")));
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
