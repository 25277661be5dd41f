/**
 * The change feed a marketing tool polls: every status change of a tenant in order, by
 * cursor, with no gap or repeat (admin.changes.list).
 */
import { afterEach, describe, expect, it } from "vitest";
import { fireCron, nightlyRun } from "../support/cron.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { expectError } from "../support/http.ts";
import { retireTenants, type TenantApi, tenantAt, twoTenants } from "../support/tenant-api.ts";
import { at, Clock, day, iso, nightOf } from "../support/time.ts";

afterEach(retireTenants);

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
      if (page.items.length === 0) {
        return pages;
      }
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
        occurredAt: iso(at(A + 30, "00:00")),
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
