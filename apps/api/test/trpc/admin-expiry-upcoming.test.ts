import { afterEach, describe, expect, it } from "vitest";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { expectError } from "../support/http.ts";
import { retireTenants, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day } from "../support/time.ts";

afterEach(retireTenants);

interface Upcoming {
  items: { profileId: string; lapsesOn: string; lastActivityOn: string }[];
  nextCursor: string | null;
}

describe("admin.expiry.upcoming (R14)", () => {
  it("R14/R10: pages the profiles about to lapse, soonest first, across both shards, once each", async () => {
    const A = day("2035-01-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS, { shards: 2 });
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    // 12 customers accepted on A, A + 1, …, A + 11: they lapse on A + 30 … A + 41.
    const profiles = Array.from({ length: 12 }, (_, i) => `c${i}`);
    for (const [i, p] of profiles.entries()) {
      clock.toDay(A + i);
      await api.set(p, { newsletter: "accepted" });
    }
    // c0 refuses; c1 is renewed by a click on A + 20.
    await api.set("c0", { newsletter: "refused" });
    clock.toDay(A + 20);
    await api.track([{ profileId: "c1", type: "email_clicked" }]);

    // On A + 31, c2 lapsed yesterday…: the lapsed ones are not "upcoming".
    clock.toDay(A + 32);
    const seen: Upcoming["items"] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await api.ok<Upcoming>("query", "admin.expiry.upcoming", {
        consent: "newsletter",
        withinDays: 7,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items);
      if (page.nextCursor === null) {
        break;
      }
      cursor = page.nextCursor;
    }
    const fmt = (d: number) => new Date(at(d, "00:00")).toISOString().slice(0, 10);
    // After A + 32 and by A + 39: c3 … c9 (lapsing A + 33 … A + 39); c1 lapses on A + 50.
    expect(seen.map((s) => s.profileId)).toEqual(["c3", "c4", "c5", "c6", "c7", "c8", "c9"]);
    expect(seen.map((s) => s.lapsesOn)).toEqual(
      [33, 34, 35, 36, 37, 38, 39].map((d) => fmt(A + d)),
    );
    expect(seen[0]?.lastActivityOn).toBe(fmt(A + 3));
  });

  it("R14: a cursor that is not one of the list's is a 400, and a policy that is off lists nothing", async () => {
    const clock = new Clock(at(day("2035-02-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.set("c1", { newsletter: "accepted" });
    expectError(
      await api.query("admin.expiry.upcoming", {
        consent: "newsletter",
        withinDays: 40,
        cursor: "nope",
      }),
      400,
      "BAD_REQUEST",
    );
    expect(
      await api.ok("query", "admin.expiry.upcoming", { consent: "newsletter", withinDays: 40 }),
    ).toEqual({ items: [], nextCursor: null });
    await api.activate("newsletter");
    expect(
      await api.ok<Upcoming>("query", "admin.expiry.upcoming", {
        consent: "newsletter",
        withinDays: 40,
      }),
    ).toMatchObject({ items: [{ profileId: "c1" }], nextCursor: null });
  });
});
