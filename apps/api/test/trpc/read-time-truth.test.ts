import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { nightlyRun } from "../support/cron.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { retireTenants, type TenantApi, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day, iso } from "../support/time.ts";

afterEach(retireTenants);

async function newsletterTenant(A: number) {
  const clock = new Clock(at(A));
  const api = await tenantAt(clock, DEMO_CONSENTS);
  await api.configure("newsletter", { days: 30 });
  await api.activate("newsletter");
  return { clock, api };
}

/** What a brand reads of a profile, the `lapsed` flags aside (they say only "not recorded yet"). */
async function truth(api: TenantApi, profileId: string) {
  const profile = await api.profile(profileId);
  return Object.fromEntries(
    Object.entries(profile).map(([key, { lapsed: _, ...rest }]) => [key, rest]),
  );
}

describe("read-time truth (R10)", () => {
  it("R10: a consent reads valid through its last day and lapsed from 00:00 of its lapse day, before and after the run alike", async () => {
    const A = day("2034-01-05");
    const { clock, api } = await newsletterTenant(A);
    await api.set("p1", { newsletter: "accepted" });

    clock.toDay(A + 29, "23:59");
    expect((await api.profile("p1")).newsletter).toMatchObject({
      status: "accepted",
      lapsed: false,
      expiresOn: "2034-02-04",
    });

    clock.toDay(A + 30, "00:00");
    const lapseAt = iso(at(A + 30, "00:00"));
    const before = await api.profile("p1");
    expect(before.newsletter).toMatchObject({
      status: "unknown",
      lapsed: true,
      statusChangedAt: lapseAt,
      expiredAt: lapseAt,
      expiresOn: null,
    });
    // Not recorded yet: the trail holds the acceptance alone.
    expect((await api.history("p1")).map((h) => h.reason)).toEqual(["api"]);

    clock.toDay(A + 30, "10:00");
    await nightlyRun(A + 30);
    const after = await api.profile("p1");
    expect(after.newsletter).toMatchObject({ lapsed: false });
    expect(await truth(api, "p1")).toEqual(
      Object.fromEntries(
        Object.entries(before).map(([key, { lapsed: _, ...rest }]) => [key, rest]),
      ),
    );
    expect((await api.history("p1")).map((h) => [h.reason, h.occurredAt])).toEqual([
      ["api", iso(at(A))],
      ["expired", lapseAt],
    ]);
  });

  it("R10/R11: a write to a lapsed state records the lapse first, and the run then records nothing more", async () => {
    const A = day("2034-02-01");
    const { clock, api } = await newsletterTenant(A);
    await api.set("p1", { newsletter: "accepted" });
    clock.toDay(A + 33);
    await api.set("p1", { newsletter: "accepted" });
    expect(
      (await api.history("p1")).map((h) => `${h.from}→${h.to}:${h.reason}@${h.occurredAt}`),
    ).toEqual([
      `unknown→accepted:api@${iso(at(A))}`,
      `accepted→unknown:expired@${iso(at(A + 30, "00:00"))}`,
      `unknown→accepted:api@${iso(at(A + 33))}`,
    ]);
    expect((await api.profile("p1")).newsletter).toMatchObject({
      status: "accepted",
      lapsed: false,
      expiresOn: "2034-04-05",
    });
    const run = await api.run(await nightlyRun(A + 33));
    expect(run.perConsent.find((c) => c.consent === "newsletter")?.expired ?? 0).toBe(0);
    expect(await api.history("p1")).toHaveLength(3);
  });

  it("R10/R2: an import over a lapsed state records the lapse first", async () => {
    const A = day("2034-02-10");
    const { clock, api } = await newsletterTenant(A);
    await api.set("p1", { newsletter: "accepted" });
    clock.toDay(A + 40);
    await api.ok("mutation", "admin.profiles.import", {
      items: [
        { profileId: "p1", consent: "newsletter", status: "accepted", changedAt: iso(at(A + 39)) },
      ],
    });
    expect((await api.history("p1")).map((h) => `${h.to}:${h.reason}`)).toEqual([
      "accepted:api",
      "unknown:expired",
      "accepted:import",
    ]);
    expect((await api.profile("p1")).newsletter).toMatchObject({
      status: "accepted",
      lapsed: false,
    });
  });

  it("R5/R10: a late event dated before the lapse does not revive a lapsed consent, before or after the run", async () => {
    const A = day("2034-03-01");
    const { clock, api } = await newsletterTenant(A);
    await api.acceptAll(["p1", "p2"], ["newsletter"]);
    clock.toDay(A + 31);
    // A click of day A + 29 reported two days later: the consent had lapsed in between.
    const late = await api.track([
      { profileId: "p1", type: "email_clicked", occurredAt: at(A + 29) },
    ]);
    expect(late.extended).toBe(0);
    expect((await api.profile("p1")).newsletter).toMatchObject({
      status: "unknown",
      lapsed: true,
    });
    await nightlyRun(A + 31);
    await api.track([{ profileId: "p2", type: "email_clicked", occurredAt: at(A + 29) }]);
    for (const p of ["p1", "p2"]) {
      expect((await api.profile(p)).newsletter).toMatchObject({
        status: "unknown",
        lapsed: false,
        expiredAt: iso(at(A + 30, "00:00")),
      });
      expect((await api.history(p)).filter((h) => h.reason === "expired")).toHaveLength(1);
    }
  });

  it("R10: for random histories, every read answers the same before and after the night's run", async () => {
    const A = day("2034-04-01");
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            profile: fc.constantFrom("p1", "p2", "p3"),
            day: fc.integer({ min: 0, max: 40 }),
            kind: fc.constantFrom("accept", "refuse", "click"),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 20, max: 90 }),
        async (ops, readDay) => {
          const { clock, api } = await newsletterTenant(A);
          for (const op of [...ops].sort((a, b) => a.day - b.day)) {
            if (A + op.day > A + readDay) {
              continue;
            }
            clock.toDay(A + op.day);
            if (op.kind === "click") {
              await api.track([{ profileId: op.profile, type: "email_clicked" }]);
            } else {
              await api.set(op.profile, {
                newsletter: op.kind === "accept" ? "accepted" : "refused",
              });
            }
          }
          clock.toDay(A + readDay, "12:00");
          const before = [];
          for (const p of ["p1", "p2", "p3"]) {
            before.push(await truth(api, p));
          }
          await nightlyRun(A + readDay);
          const after = [];
          for (const p of ["p1", "p2", "p3"]) {
            after.push(await truth(api, p));
            expect(Object.values(await api.profile(p)).some((c) => c.lapsed)).toBe(false);
          }
          expect(after).toEqual(before);
        },
      ),
      { numRuns: 12 },
    );
  });
});
