import { dayOf } from "@lapse/consent";
import { describe, expect, it } from "vitest";
import type { TrackEventsResult } from "../../src/services/events/index.ts";
import type { ProfileView } from "../../src/services/profiles/view.ts";
import { keyChecks } from "../support/access-checks.ts";
import { historyRows, snapshot, stateRows, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, insertState, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { DAY_MS, daysAgo, dayText } from "../support/time.ts";

type Event = { profileId: string; type: string; occurredAt: string };

const NO_IGNORED = { total: 0, automated: 0, bot: 0, tooSoon: 0 };

function track(tenant: TestTenant, events: unknown[]) {
  return mutate<TrackEventsResult>("events.track", { events }, { key: tenant.secretKey });
}

/** Back-dated acceptances, so that an event can move their clocks. */
async function acceptedLongAgo(
  tenant: TestTenant,
  profileId: string,
  consents: string[],
  days = 100,
  from = Date.now(),
) {
  expectOk(
    await mutate(
      "admin.profiles.import",
      {
        items: consents.map((consent) => ({
          profileId,
          consent,
          status: "accepted",
          changedAt: daysAgo(days, from),
        })),
      },
      { key: tenant.secretKey },
    ),
  );
}

async function consentsOf(tenant: TestTenant, profileId: string) {
  const view = expectOk(
    await query<ProfileView>("profile.get", { profileId }, { key: tenant.secretKey }),
  );
  return Object.fromEntries(view.consents.map((c) => [c.consent, c]));
}

describe("events.track", () => {
  it("R5: an event moves the clock of each accepted consent that lists its type", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter", "sms"]);
    const result = expectOk(
      await track(tenant, [{ profileId: "p1", type: "email_clicked", occurredAt: daysAgo(2) }]),
    );
    expect(result).toEqual({ events: 1, ignored: NO_IGNORED, extended: 1, entered: 0 });
    const consents = await consentsOf(tenant, "p1");
    expect(consents.newsletter?.lastActivityOn).toBe(dayText(-2));
    // sms is not extended by email clicks.
    expect(consents.sms?.lastActivityOn).toBe(dayText(-100));
  });

  it("R5: extended counts the states whose day moved, once per state", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter", "sms", "order"]);
    await acceptedLongAgo(tenant, "p2", ["newsletter"]);
    const result = expectOk(
      await track(tenant, [
        // order_placed extends newsletter, sms and order of p1; two orders count once per
        // state, and sms keeps the later of its order and its click.
        { profileId: "p1", type: "order_placed", occurredAt: daysAgo(3) },
        { profileId: "p1", type: "order_placed", occurredAt: daysAgo(1) },
        { profileId: "p1", type: "sms_clicked", occurredAt: daysAgo(5) },
        { profileId: "p2", type: "email_clicked", occurredAt: daysAgo(4) },
        // Extends nothing: no consent lists it.
        { profileId: "p2", type: "loyalty_page_visited", occurredAt: daysAgo(1) },
      ]),
    );
    expect(result).toEqual({ events: 5, ignored: NO_IGNORED, extended: 4, entered: 0 });
    const p1 = await consentsOf(tenant, "p1");
    expect(p1.newsletter?.lastActivityOn).toBe(dayText(-1));
    expect(p1.order?.lastActivityOn).toBe(dayText(-1));
    expect(p1.sms?.lastActivityOn).toBe(dayText(-1));
    expect((await consentsOf(tenant, "p2")).newsletter?.lastActivityOn).toBe(dayText(-4));
  });

  it("R5: a repeat of the same day writes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter"]);
    const event = { profileId: "p1", type: "email_clicked", occurredAt: daysAgo(1) };
    expect(expectOk(await track(tenant, [event])).extended).toBe(1);
    const rows = await stateRows(tenant.tenantId);
    const before = await snapshot(tenant.tenantId);
    const sameDay = {
      ...event,
      occurredAt: new Date(Date.parse(event.occurredAt) - 1000).toISOString(),
    };
    expect(expectOk(await track(tenant, [event, sameDay]))).toEqual({
      events: 2,
      ignored: NO_IGNORED,
      extended: 0,
      entered: 0,
    });
    expect(await stateRows(tenant.tenantId)).toEqual(rows);
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R5: an older event never moves a clock back", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter"], 10);
    const before = await snapshot(tenant.tenantId);
    const result = expectOk(
      await track(tenant, [{ profileId: "p1", type: "email_clicked", occurredAt: daysAgo(50) }]),
    );
    expect(result.extended).toBe(0);
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R5: refused and unknown states are not extended", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "newsletter", status: "refused" }] },
        { key: tenant.secretKey },
      ),
    );
    const before = await snapshot(tenant.tenantId);
    const result = expectOk(
      await track(tenant, [
        { profileId: "p1", type: "email_clicked", occurredAt: daysAgo(0) },
        { profileId: "p1", type: "sms_clicked", occurredAt: daysAgo(0) },
      ]),
    );
    expect(result).toEqual({ events: 2, ignored: NO_IGNORED, extended: 0, entered: 0 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R5: events for profiles with no states are not an error and write nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const before = await snapshot(tenant.tenantId);
    const result = expectOk(
      await track(tenant, [
        { profileId: "stranger-1", type: "email_clicked", occurredAt: daysAgo(1) },
        { profileId: "stranger-2", type: "account_upserted", occurredAt: daysAgo(0) },
      ]),
    );
    expect(result).toEqual({ events: 2, ignored: NO_IGNORED, extended: 0, entered: 0 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R5: the order of events in a batch does not matter", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    // One base instant, so both profiles get exactly the same facts.
    const base = Date.now();
    await acceptedLongAgo(tenant, "forward", ["newsletter", "sms"], 100, base);
    await acceptedLongAgo(tenant, "backward", ["newsletter", "sms"], 100, base);
    const events = (profileId: string): Event[] => [
      { profileId, type: "email_clicked", occurredAt: daysAgo(9, base) },
      { profileId, type: "order_placed", occurredAt: daysAgo(6, base) },
      { profileId, type: "email_clicked", occurredAt: daysAgo(2, base) },
      { profileId, type: "sms_clicked", occurredAt: daysAgo(4, base) },
      { profileId, type: "order_placed", occurredAt: daysAgo(12, base) },
    ];
    const a = expectOk(await track(tenant, events("forward")));
    const b = expectOk(await track(tenant, events("backward").reverse()));
    expect(a).toEqual(b);
    const forward = await consentsOf(tenant, "forward");
    expect(await consentsOf(tenant, "backward")).toEqual(forward);
    expect(forward.newsletter?.lastActivityOn).toBe(dayText(-2));
    expect(forward.sms?.lastActivityOn).toBe(dayText(-4));
    // order was entered by the earliest order and kept alive by the latest (R4, R5).
    expect(forward.order).toMatchObject({ status: "accepted", lastActivityOn: dayText(-6) });
  });

  it("R5: the order of calls does not matter either", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const base = Date.now();
    await acceptedLongAgo(tenant, "a", ["newsletter"], 100, base);
    await acceptedLongAgo(tenant, "b", ["newsletter"], 100, base);
    const at = (profileId: string, days: number) => ({
      profileId,
      type: "email_clicked",
      occurredAt: daysAgo(days, base),
    });
    const late = (profileId: string) => at(profileId, 1);
    const early = (profileId: string) => at(profileId, 8);
    expectOk(await track(tenant, [late("a")]));
    expectOk(await track(tenant, [early("a")]));
    expectOk(await track(tenant, [early("b")]));
    expectOk(await track(tenant, [late("b")]));
    expect((await consentsOf(tenant, "a")).newsletter?.lastActivityOn).toBe(dayText(-1));
    expect(await consentsOf(tenant, "b")).toEqual(await consentsOf(tenant, "a"));
  });

  it("R4: order_placed enters an absent 'order' legal basis (history reason entry_event)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const occurredAt = daysAgo(1);
    const result = expectOk(
      await track(tenant, [{ profileId: "p1", type: "order_placed", occurredAt }]),
    );
    expect(result).toEqual({ events: 1, ignored: NO_IGNORED, extended: 0, entered: 1 });
    const consents = await consentsOf(tenant, "p1");
    expect(consents.order).toMatchObject({
      status: "accepted",
      statusChangedAt: occurredAt,
      lastActivityOn: dayText(-1),
    });
    // Opt-ins are never entered by events.
    expect(consents.newsletter?.status).toBe("unknown");
    const rows = await historyRows(tenant.tenantId, "p1");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      consent_key: "order",
      from_status: "unknown",
      to_status: "accepted",
      reason: "entry_event",
      occurred_at: Date.parse(occurredAt),
    });
  });

  it("R4: order_placed enters an 'order' legal basis that lapsed to unknown", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const lapsedAt = Date.now() - 10 * DAY_MS;
    await insertState(tenant.tenantId, {
      profileId: "p1",
      consent: "order",
      status: "unknown",
      statusChangedAt: lapsedAt,
      lastActivityDay: dayOf(lapsedAt) - 1095,
      expiredAt: lapsedAt,
    });
    const result = expectOk(
      await track(tenant, [{ profileId: "p1", type: "order_placed", occurredAt: daysAgo(0) }]),
    );
    expect(result.entered).toBe(1);
    expect((await consentsOf(tenant, "p1")).order).toMatchObject({
      status: "accepted",
      lastActivityOn: dayText(0),
      expiredAt: null,
    });
  });

  it("R4: an order older than the lapse does not re-enter the legal basis", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const lapsedAt = Date.now() - 2 * DAY_MS;
    await insertState(tenant.tenantId, {
      profileId: "p1",
      consent: "order",
      status: "unknown",
      statusChangedAt: lapsedAt,
      lastActivityDay: dayOf(lapsedAt) - 1095,
      expiredAt: lapsedAt,
    });
    const before = await snapshot(tenant.tenantId);
    const result = expectOk(
      await track(tenant, [{ profileId: "p1", type: "order_placed", occurredAt: daysAgo(5) }]),
    );
    expect(result).toEqual({ events: 1, ignored: NO_IGNORED, extended: 0, entered: 0 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("R4: a refused legal basis stays refused whatever the orders", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "order", status: "refused" }] },
        { key: tenant.secretKey },
      ),
    );
    const before = await snapshot(tenant.tenantId);
    const result = expectOk(
      await track(tenant, [
        { profileId: "p1", type: "order_placed", occurredAt: daysAgo(0) },
        { profileId: "p1", type: "account_upserted", occurredAt: daysAgo(0) },
      ]),
    );
    expect(result).toEqual({ events: 2, ignored: NO_IGNORED, extended: 0, entered: 0 });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
    expect((await consentsOf(tenant, "p1")).order?.status).toBe("refused");
  });

  it("R4: a repeat of an entry event enters nothing more", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const event = { profileId: "p1", type: "order_placed", occurredAt: daysAgo(0) };
    expect(expectOk(await track(tenant, [event])).entered).toBe(1);
    const before = await snapshot(tenant.tenantId);
    expect(expectOk(await track(tenant, [event]))).toEqual({
      events: 1,
      ignored: NO_IGNORED,
      extended: 0,
      entered: 0,
    });
    expect(await snapshot(tenant.tenantId)).toEqual(before);
  });

  it("takes a full batch of 1,000 events in one call", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p0", ["newsletter"]);
    const events = Array.from({ length: 1000 }, (_, i) => ({
      profileId: `p${i % 250}`,
      type: "email_clicked",
      occurredAt: daysAgo(i % 7),
    }));
    expect(expectOk(await track(tenant, events))).toEqual({
      events: 1000,
      ignored: NO_IGNORED,
      extended: 1,
      entered: 0,
    });
    expect((await consentsOf(tenant, "p0")).newsletter?.lastActivityOn).toBe(dayText(0));
  });

  it("accepts an event dated less than 5 minutes ahead (clock skew)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter"]);
    const soon = new Date(Date.now() + 4 * 60_000).toISOString();
    expect(
      expectOk(await track(tenant, [{ profileId: "p1", type: "email_clicked", occurredAt: soon }]))
        .events,
    ).toBe(1);
  });

  describe("bad input: the whole batch is refused, each bad item named, nothing written", () => {
    const ok = (i: number): Event => ({
      profileId: `p${i}`,
      type: "order_placed",
      occurredAt: daysAgo(1),
    });
    const inSixMinutes = () => new Date(Date.now() + 6 * 60_000).toISOString();
    const cases: [string, () => unknown[], string[]][] = [
      [
        "R5: dates more than 5 minutes in the future",
        () => [
          ok(0),
          { ...ok(1), occurredAt: inSixMinutes() },
          ok(2),
          { ...ok(3), occurredAt: daysAgo(-2) },
        ],
        ["events.1.occurredAt", "events.3.occurredAt"],
      ],
      [
        "malformed dates",
        () => [
          ok(0),
          { ...ok(1), occurredAt: "yesterday" },
          { ...ok(2), occurredAt: "2026-02-30T10:00:00Z" },
          { ...ok(3), occurredAt: "2026-01-01T10:00:00" },
          { ...ok(4), occurredAt: 1767261600000 },
        ],
        [
          "events.1.occurredAt",
          "events.2.occurredAt",
          "events.3.occurredAt",
          "events.4.occurredAt",
        ],
      ],
      [
        "several kinds of bad items",
        () => [
          ok(0),
          { ...ok(1), type: "page_viewed" },
          ok(2),
          { ...ok(3), occurredAt: "not a date" },
          { ...ok(4), profileId: "" },
          { ...ok(5), channel: "web" },
        ],
        ["events.1.type", "events.3.occurredAt", "events.4.profileId", "events.5"],
      ],
      [
        "an oversized batch (1,001 events)",
        () => Array.from({ length: 1001 }, (_, i) => ok(i)),
        ["events"],
      ],
      ["an empty batch", () => [], ["events"]],
    ];
    for (const [name, events, paths] of cases) {
      it(name, async () => {
        const tenant = await createTenant({ consents: DEMO_CONSENTS });
        await acceptedLongAgo(tenant, "p0", ["newsletter"]);
        const result = await unchanged(tenant.tenantId, () => track(tenant, events()));
        const error = expectError(result, 400, "BAD_REQUEST");
        expect(error.data.issues.map((i) => i.path)).toEqual(paths);
        expect(error.message).toMatch(/nothing was changed|none was recorded/);
      });
    }

    it("an extra top-level field", async () => {
      const tenant = await createTenant({ consents: DEMO_CONSENTS });
      const result = await unchanged(tenant.tenantId, () =>
        mutate("events.track", { events: [ok(0)], dryRun: true }, { key: tenant.secretKey }),
      );
      expect(expectError(result, 400, "BAD_REQUEST").data.issues.map((i) => i.path)).toEqual([""]);
    });
  });

  it("R12: another tenant's key cannot move this tenant's clocks or enter its bases", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "shared", ["newsletter"]);
    const result = await unchanged(tenant.tenantId, () =>
      track(other, [
        { profileId: "shared", type: "email_clicked", occurredAt: daysAgo(0) },
        { profileId: "shared", type: "order_placed", occurredAt: daysAgo(0) },
      ]),
    );
    // The other tenant's own "order" basis is entered; this tenant's rows are untouched.
    expect(expectOk(result)).toEqual({ events: 2, ignored: NO_IGNORED, extended: 0, entered: 1 });
  });
});

keyChecks({
  path: "events.track",
  type: "mutation",
  scope: "events",
  publishable: "refused",
  input: () => ({
    events: [{ profileId: "p-sec", type: "order_placed", occurredAt: new Date().toISOString() }],
  }),
});

describe("events.track: human clicks only (R5)", () => {
  const CHROME =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

  it("R5: a batch mixing human and automated clicks extends only the people's, and counts the others by reason", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    for (const p of ["human", "flagged", "scanner", "instant", "late"]) {
      await acceptedLongAgo(tenant, p, ["newsletter"]);
    }
    const clickedAt = Date.now() - 2 * DAY_MS;
    const at = (ms: number) => new Date(ms).toISOString();
    const before = await snapshot(tenant.tenantId);
    const result = expectOk(
      await track(tenant, [
        { profileId: "human", type: "email_clicked", occurredAt: at(clickedAt), userAgent: CHROME },
        // The ESP's own bot flag.
        { profileId: "flagged", type: "email_clicked", occurredAt: at(clickedAt), automated: true },
        // A mail gateway's link check.
        {
          profileId: "scanner",
          type: "email_clicked",
          occurredAt: at(clickedAt),
          userAgent: "Proofpoint-URLDefense/2.0",
        },
        // Clicked 3 s after the message was sent: a scanner (default minSecondsAfterSend 10).
        {
          profileId: "instant",
          type: "email_clicked",
          occurredAt: at(clickedAt),
          sentAt: at(clickedAt - 3_000),
          userAgent: CHROME,
        },
        // Clicked a minute after sending: a person.
        {
          profileId: "late",
          type: "email_clicked",
          occurredAt: at(clickedAt),
          sentAt: at(clickedAt - 60_000),
        },
      ]),
    );
    expect(result).toEqual({
      events: 5,
      ignored: { total: 3, automated: 1, bot: 1, tooSoon: 1 },
      extended: 2,
      entered: 0,
    });
    for (const [p, extended] of [
      ["human", true],
      ["flagged", false],
      ["scanner", false],
      ["instant", false],
      ["late", true],
    ] as const) {
      expect((await consentsOf(tenant, p)).newsletter?.lastActivityOn).toBe(
        extended ? dayText(-2) : dayText(-100),
      );
    }
    // Only the two people's rows changed.
    const after = await snapshot(tenant.tenantId);
    expect(after).not.toEqual(before);
  });

  it("R4/R5: an automated entry event enters nothing, and a batch of only bots writes nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const result = await unchanged(tenant.tenantId, async () =>
      expectOk(
        await track(tenant, [
          { profileId: "p1", type: "order_placed", occurredAt: daysAgo(1), automated: true },
          {
            profileId: "p2",
            type: "order_placed",
            occurredAt: daysAgo(1),
            userAgent: "curl/8.5.0",
          },
        ]),
      ),
    );
    expect(result).toEqual({
      events: 2,
      ignored: { total: 2, automated: 1, bot: 1, tooSoon: 0 },
      extended: 0,
      entered: 0,
    });
  });

  it("R5: minSecondsAfterSend is a tenant setting; 0 switches the rule off, and it is bounded", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter"]);
    const key = { key: tenant.secretKey };
    expect(expectOk(await query("admin.settings.get", undefined, key))).toEqual({
      minSecondsAfterSend: 10,
    });
    for (const bad of [-1, 3601, 1.5]) {
      expectError(
        await mutate("admin.settings.update", { minSecondsAfterSend: bad }, key),
        400,
        "BAD_REQUEST",
      );
    }
    expect(
      expectOk(await mutate("admin.settings.update", { minSecondsAfterSend: 0 }, key)),
    ).toEqual({ minSecondsAfterSend: 0 });
    const clickedAt = Date.now() - DAY_MS;
    const result = expectOk(
      await track(tenant, [
        {
          profileId: "p1",
          type: "email_clicked",
          occurredAt: new Date(clickedAt).toISOString(),
          sentAt: new Date(clickedAt - 1_000).toISOString(),
        },
      ]),
    );
    expect(result).toMatchObject({ ignored: NO_IGNORED, extended: 1 });
  });

  it("R5: a user agent longer than 1,024 characters or a malformed sentAt is a 400 that records nothing", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await acceptedLongAgo(tenant, "p1", ["newsletter"]);
    for (const bad of [
      { userAgent: "x".repeat(1025) },
      { sentAt: "yesterday" },
      { automated: "yes" },
    ]) {
      await unchanged(tenant.tenantId, async () =>
        expectError(
          await track(tenant, [
            { profileId: "p1", type: "email_clicked", occurredAt: daysAgo(1), ...bad },
          ]),
          400,
          "BAD_REQUEST",
        ),
      );
    }
  });
});
