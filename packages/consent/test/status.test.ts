import { describe, expect, it } from "vitest";
import {
  absentState,
  type ConsentState,
  decide,
  HistoryEntry,
  type RequestedStatus,
  statusOf,
} from "../src/index.ts";
import { ACTOR, acceptedState, at, change, day, legalBasis, optIn, state } from "./fixtures.ts";

const MAR_1 = day("2026-03-01");
const JAN_10 = day("2026-01-10");

/** A state in each status a profile can have, for one consent key. */
function statesFor(key: string): Record<string, ConsentState | undefined> {
  return {
    absent: undefined,
    unknown: state(key, {
      statusChangedAt: at(JAN_10),
      lastActivityDay: JAN_10 - 30,
      expiredAt: at(JAN_10),
    }),
    accepted: acceptedState(key, JAN_10),
    refused: state(key, { status: "refused", statusChangedAt: at(JAN_10) }),
  };
}

describe("R1: no state row means unknown", () => {
  it("R1: statusOf(undefined) is unknown, and a recorded state reports its status", () => {
    expect(statusOf(undefined)).toBe("unknown");
    expect(statusOf(acceptedState("newsletter", MAR_1))).toBe("accepted");
    expect(absentState("newsletter")).toMatchObject({
      consent: "newsletter",
      status: "unknown",
      lastActivityDay: null,
      expiredAt: null,
    });
  });
});

describe("R2: an opt-in moves to accepted or refused from any status", () => {
  const cases: { from: string; to: RequestedStatus; changes: boolean }[] = [
    { from: "absent", to: "accepted", changes: true },
    { from: "absent", to: "refused", changes: true },
    { from: "unknown", to: "accepted", changes: true },
    { from: "unknown", to: "refused", changes: true },
    { from: "accepted", to: "refused", changes: true },
    { from: "accepted", to: "accepted", changes: false },
    { from: "refused", to: "accepted", changes: true },
    { from: "refused", to: "refused", changes: false },
  ];
  it.each(cases)("R2: opt-in $from -> $to", ({ from, to, changes }) => {
    const consent = optIn();
    const context = change({ occurredAt: at(MAR_1, 3_600_000) });
    const decision = decide(
      statesFor(consent.key)[from],
      { consent: consent.key, status: to },
      consent,
      context,
    );
    expect(decision.ok).toBe(true);
    if (!decision.ok) {
      return;
    }
    expect(decision.next.status).toBe(to);
    expect(decision.next.consent).toBe(consent.key);
    if (changes) {
      expect(decision.history).toMatchObject({ from: from === "absent" ? "unknown" : from, to });
      expect(decision.next.statusChangedAt).toBe(context.occurredAt);
    } else {
      expect(decision.history).toBeNull();
    }
    expect(decision.acceptedNow).toBe(changes && to === "accepted");
  });
});

describe("R3: a refused legal basis is never accepted again", () => {
  it("R3: a refused legal basis cannot be accepted again (LEGAL_BASIS_REFUSED, nothing changes)", () => {
    const consent = legalBasis();
    const refused = state(consent.key, {
      status: "refused",
      statusChangedAt: at(JAN_10),
      lastActivityDay: JAN_10 - 5,
    });
    const before = structuredClone(refused);
    const decision = decide(
      refused,
      { consent: consent.key, status: "accepted" },
      consent,
      change(),
    );
    expect(decision).toEqual({ ok: false, error: "LEGAL_BASIS_REFUSED" });
    expect(refused).toEqual(before);
  });

  it.each([
    { from: "absent", to: "accepted" as const, expected: "accepted" },
    { from: "unknown", to: "accepted" as const, expected: "accepted" },
    { from: "accepted", to: "refused" as const, expected: "refused" },
    { from: "unknown", to: "refused" as const, expected: "refused" },
    { from: "refused", to: "refused" as const, expected: "refused" },
  ])("R3: a legal basis may go $from -> $to", ({ from, to, expected }) => {
    const consent = legalBasis();
    const decision = decide(
      statesFor(consent.key)[from],
      { consent: consent.key, status: to },
      consent,
      change(),
    );
    expect(decision.ok).toBe(true);
    if (decision.ok) {
      expect(decision.next.status).toBe(expected);
    }
  });

  it("R3: an expired (unknown) legal basis is entered again and is no longer marked expired", () => {
    const consent = legalBasis();
    const expired = statesFor(consent.key).unknown;
    const decision = decide(
      expired,
      { consent: consent.key, status: "accepted" },
      consent,
      change({ occurredAt: at(MAR_1) }),
    );
    expect(decision.ok && decision.next).toMatchObject({
      status: "accepted",
      expiredAt: null,
      lastActivityDay: MAR_1,
    });
  });
});

describe("R5: accepting sets the last activity to that day", () => {
  it.each([
    { name: "an absent opt-in", consent: optIn(), from: undefined },
    {
      name: "a refused opt-in",
      consent: optIn(),
      from: state("newsletter", { status: "refused", lastActivityDay: JAN_10 }),
    },
    {
      name: "an unknown legal basis",
      consent: legalBasis(),
      from: state("order", { lastActivityDay: JAN_10 }),
    },
  ])(
    "R5: accepting $name sets lastActivityDay to the day it happened, not the day it was recorded",
    ({ consent, from }) => {
      const context = change({ occurredAt: at(MAR_1, 23 * 3_600_000), now: at(MAR_1 + 2) });
      const decision = decide(from, { consent: consent.key, status: "accepted" }, consent, context);
      expect(decision.ok && decision.next).toMatchObject({
        status: "accepted",
        lastActivityDay: MAR_1,
        lastActivitySource: "accepted",
        statusChangedAt: context.occurredAt,
      });
    },
  );

  it("R5: accepting again renews the clock to the later day without a history entry", () => {
    const consent = optIn();
    const decision = decide(
      acceptedState(consent.key, JAN_10),
      { consent: consent.key, status: "accepted" },
      consent,
      change({ occurredAt: at(MAR_1) }),
    );
    expect(decision).toMatchObject({ ok: true, history: null, acceptedNow: false });
    expect(decision.ok && decision.next.lastActivityDay).toBe(MAR_1);
    expect(decision.ok && decision.next.statusChangedAt).toBe(at(JAN_10));
  });

  it("R5: a back-dated re-acceptance never moves the clock backwards", () => {
    const consent = optIn();
    const current = acceptedState(consent.key, MAR_1, { lastActivitySource: "email_clicked" });
    const decision = decide(
      current,
      { consent: consent.key, status: "accepted" },
      consent,
      change({ occurredAt: at(JAN_10) }),
    );
    expect(decision).toEqual({ ok: true, next: current, history: null, acceptedNow: false });
  });
});

describe("R11: every status change appends one complete history entry", () => {
  it("R11: the entry names profile, consent, version, from, to, reason, actor and both times", () => {
    const consent = optIn({ version: 3 });
    const context = change({
      profileId: "cust_42",
      reason: "customer",
      actor: "key_storefront",
      occurredAt: at(MAR_1, 1000),
      now: at(MAR_1, 5000),
    });
    const decision = decide(
      undefined,
      { consent: consent.key, status: "refused" },
      consent,
      context,
    );
    expect(decision.ok).toBe(true);
    if (!decision.ok) {
      return;
    }
    expect(decision.history).toEqual({
      profileId: "cust_42",
      consent: "newsletter",
      consentVersion: 3,
      from: "unknown",
      to: "refused",
      reason: "customer",
      actor: "key_storefront",
      occurredAt: at(MAR_1, 1000),
      recordedAt: at(MAR_1, 5000),
    });
    expect(HistoryEntry.safeParse(decision.history).success).toBe(true);
  });

  it.each([
    {
      name: "refusing a refused opt-in",
      consent: optIn(),
      current: state("newsletter", { status: "refused" }),
      to: "refused" as const,
    },
    {
      name: "accepting an accepted legal basis",
      consent: legalBasis(),
      current: acceptedState("order", JAN_10),
      to: "accepted" as const,
    },
  ])("R11: $name is not a status change and writes no history", ({ consent, current, to }) => {
    const decision = decide(
      current,
      { consent: consent.key, status: to },
      consent,
      change({ actor: ACTOR }),
    );
    expect(decision.ok && decision.history).toBeNull();
  });
});
