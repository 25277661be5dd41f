import { describe, expect, it } from "vitest";
import {
  activate,
  activationDay,
  type ConsentState,
  deactivate,
  dueThroughDay,
  type ExpiryPolicy,
  effectiveLastActivity,
  expire,
  expiresOn,
  firstPossibleDueDay,
  forecast,
  HistoryEntry,
  isDue,
  lapsedThroughDay,
  stateAt,
} from "../src/index.ts";
import { acceptedState, activePolicy, at, day, optIn, policy, state } from "./fixtures.ts";

const JAN_10 = day("2026-01-10");
const MAR_1 = day("2026-03-01");

describe("R7: the clock starts no earlier than the activation day", () => {
  it.each([
    { name: "an older last activity starts at activation", last: JAN_10 - 100, expected: JAN_10 },
    { name: "a later last activity is kept", last: JAN_10 + 5, expected: JAN_10 + 5 },
    { name: "activity on the activation day", last: JAN_10, expected: JAN_10 },
    { name: "no last activity starts at activation", last: null, expected: JAN_10 },
  ])("R7: $name", ({ last, expected }) => {
    expect(effectiveLastActivity(last, activePolicy(JAN_10))).toBe(expected);
  });

  it("R7: activationDay is the UTC day of activatedAt, null before any activation", () => {
    expect(activationDay(policy({ activatedAt: at(JAN_10, 86_399_999) }))).toBe(JAN_10);
    expect(activationDay(policy())).toBeNull();
    expect(effectiveLastActivity(JAN_10 - 100, policy({ enabled: true }))).toBe(JAN_10 - 100);
  });

  it("R7: states accepted long before the first activation are covered without rewriting them", () => {
    const old = acceptedState("newsletter", JAN_10 - 400);
    const active = activePolicy(MAR_1, { days: 30 });
    expect(expiresOn(old, active)).toBe(MAR_1 + 30);
    expect(isDue(old, active, MAR_1 + 29)).toBe(false);
    expect(isDue(old, active, MAR_1 + 30)).toBe(true);
    expect(old.lastActivityDay).toBe(JAN_10 - 400);
  });

  it("R7: re-activation resets every clock", () => {
    const states = [
      acceptedState("newsletter", JAN_10 - 10),
      acceptedState("newsletter", JAN_10 + 20),
      acceptedState("newsletter", JAN_10 + 35),
    ];
    const first = activePolicy(JAN_10, { days: 30 });
    const runDay = JAN_10 + 50;
    expect(states.map((s) => isDue(s, first, runDay))).toEqual([true, true, false]);
    const off = deactivate(first);
    const on = off.ok ? activate(off.policy, at(runDay)) : off;
    expect(on.ok).toBe(true);
    if (!on.ok) {
      return;
    }
    expect(states.map((s) => expiresOn(s, on.policy))).toEqual([
      runDay + 30,
      runDay + 30,
      runDay + 30,
    ]);
    expect(states.map((s) => isDue(s, on.policy, runDay))).toEqual([false, false, false]);
    expect(states.map((s) => isDue(s, on.policy, runDay + 30))).toEqual([true, true, true]);
  });
});

describe("R9: a disabled policy never expires anything", () => {
  const ancient = acceptedState("newsletter", day("2000-01-01"));
  it.each<{ name: string; p: ExpiryPolicy | null }>([
    { name: "deactivated after an activation", p: policy({ days: 1, activatedAt: at(JAN_10) }) },
    { name: "configured, never activated", p: policy({ days: 1 }) },
    { name: "no policy", p: null },
  ])("R9: $name -> expiresOn null and never due", ({ p }) => {
    expect(expiresOn(ancient, p)).toBeNull();
    for (const runDay of [MAR_1, day("2100-01-01")]) {
      expect(isDue(ancient, p, runDay)).toBe(false);
    }
  });

  it("R9: a disabled policy has no first due day", () => {
    expect(firstPossibleDueDay(policy({ activatedAt: at(JAN_10) }))).toBeNull();
  });
});

describe("R10: the nightly run", () => {
  const active = activePolicy(JAN_10, { days: 30 });
  it.each([
    { name: "effective + days = run day is due", last: MAR_1, runDay: MAR_1 + 30, due: true },
    { name: "one day before is not due", last: MAR_1, runDay: MAR_1 + 29, due: false },
    { name: "overdue is due", last: MAR_1, runDay: MAR_1 + 300, due: true },
    {
      name: "the activation day counts when later than the last activity",
      last: JAN_10 - 90,
      runDay: JAN_10 + 29,
      due: false,
    },
    { name: "activation day + days is due", last: JAN_10 - 90, runDay: JAN_10 + 30, due: true },
    {
      name: "no last activity counts from the activation day",
      last: null,
      runDay: JAN_10 + 30,
      due: true,
    },
  ])("R10: $name", ({ last, runDay, due }) => {
    expect(
      isDue(acceptedState("newsletter", MAR_1, { lastActivityDay: last }), active, runDay),
    ).toBe(due);
  });

  it.each<{ name: string; s: ConsentState }>([
    {
      name: "refused",
      s: state("newsletter", { status: "refused", lastActivityDay: JAN_10 - 500 }),
    },
    { name: "unknown", s: state("newsletter", { lastActivityDay: JAN_10 - 500 }) },
    {
      name: "expired (unknown with expiredAt)",
      s: state("newsletter", { lastActivityDay: JAN_10 - 500, expiredAt: at(JAN_10) }),
    },
  ])("R10: a $name state is never due", ({ s }) => {
    expect(expiresOn(s, active)).toBeNull();
    expect(isDue(s, active, day("2100-01-01"))).toBe(false);
  });

  it("R10: expire() sets unknown at the start of the lapse day, keeps last activity, and writes an `expired` entry by cron", () => {
    const consent = optIn({ version: 4, expiry: active });
    const s = acceptedState("newsletter", JAN_10, { lastActivitySource: "email_clicked" });
    // A late run (MAR_1, long after the lapse day JAN_10 + 30) records the lapse when it happened.
    const runAt = at(MAR_1, 2 * 3_600_000);
    const now = runAt + 12_345;
    const lapsed = at(JAN_10 + 30);
    const { next, history } = expire(s, consent, { profileId: "cust_3", runAt, now });
    expect(next).toEqual({
      consent: "newsletter",
      status: "unknown",
      statusChangedAt: lapsed,
      lastActivityDay: JAN_10,
      lastActivitySource: "email_clicked",
      expiredAt: lapsed,
    });
    expect(history).toEqual({
      profileId: "cust_3",
      consent: "newsletter",
      consentVersion: 4,
      from: "accepted",
      to: "unknown",
      reason: "expired",
      actor: "cron",
      occurredAt: lapsed,
      recordedAt: now,
    });
    expect(HistoryEntry.safeParse(history).success).toBe(true);
  });

  it.each([
    { name: "the last valid day, 23:59", when: at(JAN_10 + 29, 86_399_999), lapsed: false },
    { name: "00:00 of the lapse day", when: at(JAN_10 + 30), lapsed: true },
    { name: "long after", when: at(MAR_1), lapsed: true },
  ])("R10: read-time truth on $name", ({ when, lapsed }) => {
    const s = acceptedState("newsletter", JAN_10);
    const read = stateAt(s, active, when);
    expect(read.lapsed).toBe(lapsed);
    expect(read.state).toEqual(
      lapsed
        ? { ...s, status: "unknown", statusChangedAt: at(JAN_10 + 30), expiredAt: at(JAN_10 + 30) }
        : s,
    );
    // The run of that day leaves exactly what the read reported.
    if (lapsed) {
      expect(
        expire(s, optIn({ expiry: active }), { profileId: "p", runAt: when, now: when }).next,
      ).toEqual(read.state);
    }
  });

  it("R10: lapsedThroughDay agrees with stateAt for every last activity", () => {
    for (const when of [at(JAN_10 + 10), at(JAN_10 + 30), at(MAR_1), at(MAR_1, 86_399_999)]) {
      const through = lapsedThroughDay(active, when);
      for (const last of [
        null,
        JAN_10 - 5,
        JAN_10,
        JAN_10 + 1,
        MAR_1 - 31,
        MAR_1 - 30,
        MAR_1 - 29,
      ]) {
        const s = acceptedState("newsletter", JAN_10, { lastActivityDay: last });
        const lapsedByDay = through !== null && (last === null || last <= through);
        expect(lapsedByDay).toBe(stateAt(s, active, when).lapsed);
      }
    }
    expect(lapsedThroughDay({ ...active, enabled: false }, at(MAR_1))).toBeNull();
    expect(lapsedThroughDay(null, at(MAR_1))).toBeNull();
  });

  it("R9/R10: a state under a disabled or absent policy, refused or unknown, reads as stored", () => {
    const s = acceptedState("newsletter", JAN_10);
    expect(stateAt(s, { ...active, enabled: false }, at(MAR_1))).toEqual({
      state: s,
      lapsed: false,
    });
    expect(stateAt(s, null, at(MAR_1))).toEqual({ state: s, lapsed: false });
    const refused = { ...s, status: "refused" as const };
    expect(stateAt(refused, active, at(MAR_1))).toEqual({ state: refused, lapsed: false });
  });

  it("R10: a run is idempotent: an expired state is not due again at the same run day", () => {
    const s = acceptedState("newsletter", JAN_10);
    const runDay = MAR_1;
    expect(isDue(s, active, runDay)).toBe(true);
    const { next } = expire(s, optIn({ expiry: active }), {
      profileId: "cust_1",
      runAt: at(runDay),
      now: at(runDay),
    });
    expect(isDue(next, active, runDay)).toBe(false);
  });

  it("R11: an expired state stays distinguishable from one never asked", () => {
    const { next } = expire(acceptedState("newsletter", JAN_10), optIn(), {
      profileId: "cust_1",
      runAt: at(MAR_1),
      now: at(MAR_1),
    });
    expect(next.status).toBe("unknown");
    expect(next.expiredAt).toBe(at(MAR_1));
    expect(state("newsletter").expiredAt).toBeNull();
  });

  it.each([
    { name: "before the first possible day", runDay: JAN_10 + 29 },
    { name: "on the first possible day", runDay: JAN_10 + 30 },
    { name: "long after", runDay: JAN_10 + 200 },
  ])("R10: firstPossibleDueDay and dueThroughDay agree with isDue $name", ({ runDay }) => {
    const first = firstPossibleDueDay(active);
    expect(first).toBe(JAN_10 + 30);
    for (const last of [
      null,
      JAN_10 - 50,
      JAN_10,
      JAN_10 + 100,
      runDay - 31,
      runDay - 30,
      runDay - 29,
    ]) {
      const s = acceptedState("newsletter", JAN_10, { lastActivityDay: last });
      const byIndex =
        first !== null &&
        first <= runDay &&
        (last === null || last <= dueThroughDay(active, runDay));
      expect(byIndex).toBe(isDue(s, active, runDay));
    }
  });
});

describe("R10: forecast of the coming runs", () => {
  const active = activePolicy(JAN_10, { days: 30 });

  it("R10: counts each bucket on the day it lapses", () => {
    const result = forecast(
      [
        { lastActivityDay: MAR_1, count: 3 },
        { lastActivityDay: MAR_1 + 2, count: 5 },
        { lastActivityDay: MAR_1 + 2, count: 1 },
      ],
      active,
      MAR_1 + 30,
      4,
    );
    expect(result).toEqual([
      { day: MAR_1 + 30, count: 3 },
      { day: MAR_1 + 31, count: 0 },
      { day: MAR_1 + 32, count: 6 },
      { day: MAR_1 + 33, count: 0 },
    ]);
  });

  it("R10: overdue states are folded into the first day", () => {
    const result = forecast(
      [
        { lastActivityDay: MAR_1 - 100, count: 7 },
        { lastActivityDay: MAR_1 - 1, count: 2 },
        { lastActivityDay: MAR_1, count: 1 },
      ],
      active,
      MAR_1 + 30,
      2,
    );
    expect(result).toEqual([
      { day: MAR_1 + 30, count: 10 },
      { day: MAR_1 + 31, count: 0 },
    ]);
  });

  it("R10: states lapsing after the horizon are not counted", () => {
    const result = forecast([{ lastActivityDay: MAR_1, count: 9 }], active, MAR_1, 30);
    expect(result).toHaveLength(30);
    expect(result.reduce((sum, d) => sum + d.count, 0)).toBe(0);
  });

  it("R7: forecast floors last activity at the activation day", () => {
    const lateActivation = activePolicy(MAR_1, { days: 10 });
    const result = forecast(
      [
        { lastActivityDay: JAN_10, count: 4 },
        { lastActivityDay: null, count: 2 },
      ],
      lateActivation,
      MAR_1,
      12,
    );
    expect(result[10]).toEqual({ day: MAR_1 + 10, count: 6 });
    expect(result.filter((d) => d.count > 0)).toHaveLength(1);
  });

  it("R9: a disabled policy forecasts zeros for every day of the horizon", () => {
    const result = forecast(
      [{ lastActivityDay: JAN_10 - 500, count: 100 }],
      policy({ activatedAt: at(JAN_10) }),
      MAR_1,
      3,
    );
    expect(result).toEqual([
      { day: MAR_1, count: 0 },
      { day: MAR_1 + 1, count: 0 },
      { day: MAR_1 + 2, count: 0 },
    ]);
  });
});
