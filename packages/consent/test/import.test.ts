import { describe, expect, it } from "vitest";
import { type ConsentState, type ImportItem, importState } from "../src/index.ts";
import { acceptedState, at, day, legalBasis, optIn, state } from "./fixtures.ts";

const JAN_10 = day("2026-01-10");
const MAR_1 = day("2026-03-01");
const context = { actor: "key_migration", now: at(MAR_1 + 60) };

function item(overrides: Partial<ImportItem> = {}): ImportItem {
  return {
    profileId: "cust_1",
    consent: "newsletter",
    status: "accepted",
    changedAt: at(MAR_1, 3_600_000),
    ...overrides,
  };
}

describe("import: the newer fact wins", () => {
  it("import: an accepted item for an absent state is recorded back-dated, with an `import` entry", () => {
    const decision = importState(
      undefined,
      item({ lastActivityAt: at(MAR_1 + 7) }),
      optIn({ version: 2 }),
      context,
    );
    expect(decision).toEqual({
      ok: true,
      next: {
        consent: "newsletter",
        status: "accepted",
        statusChangedAt: at(MAR_1, 3_600_000),
        lastActivityDay: MAR_1 + 7,
        lastActivitySource: "accepted",
        expiredAt: null,
      },
      history: {
        profileId: "cust_1",
        consent: "newsletter",
        consentVersion: 2,
        from: "unknown",
        to: "accepted",
        reason: "import",
        actor: "key_migration",
        occurredAt: at(MAR_1, 3_600_000),
        recordedAt: context.now,
      },
    });
  });

  it.each([
    { name: "defaults to the change day", lastActivityAt: undefined, expected: MAR_1 },
    { name: "takes a later activity", lastActivityAt: at(MAR_1 + 3), expected: MAR_1 + 3 },
    { name: "never goes before the change day", lastActivityAt: at(MAR_1 - 3), expected: MAR_1 },
  ])("R5: the imported last activity $name", ({ lastActivityAt, expected }) => {
    const decision = importState(undefined, item({ lastActivityAt }), optIn(), context);
    expect(decision.ok && decision.next.lastActivityDay).toBe(expected);
  });

  it.each<{ name: string; current: ConsentState; changedAt: number; applies: boolean }>([
    {
      name: "an item older than the state changes nothing",
      current: state("newsletter", { status: "refused", statusChangedAt: at(MAR_1) }),
      changedAt: at(MAR_1) - 1,
      applies: false,
    },
    {
      name: "an item as old as the state changes nothing",
      current: state("newsletter", { status: "refused", statusChangedAt: at(MAR_1) }),
      changedAt: at(MAR_1),
      applies: false,
    },
    {
      name: "an item newer than the state wins",
      current: state("newsletter", { status: "refused", statusChangedAt: at(MAR_1) }),
      changedAt: at(MAR_1) + 1,
      applies: true,
    },
    {
      name: "an item older than a lapse does not undo it",
      current: state("newsletter", { statusChangedAt: at(MAR_1), expiredAt: at(MAR_1) }),
      changedAt: at(JAN_10),
      applies: false,
    },
  ])("import: $name", ({ current, changedAt, applies }) => {
    const decision = importState(current, item({ changedAt }), optIn(), context);
    expect(decision.ok).toBe(true);
    if (!decision.ok) {
      return;
    }
    if (applies) {
      expect(decision.next.status).toBe("accepted");
      expect(decision.history).toMatchObject({
        from: current.status,
        to: "accepted",
        reason: "import",
      });
    } else {
      expect(decision.next).toBe(current);
      expect(decision.history).toBeNull();
    }
  });

  it.each([
    { name: "an accepted item", status: "accepted" as const },
    { name: "a refused item", status: "refused" as const },
  ])("import: re-sending $name is a no-op", ({ status }) => {
    const once = importState(undefined, item({ status }), optIn(), context);
    expect(once.ok && once.history).not.toBeNull();
    if (!once.ok) {
      return;
    }
    const twice = importState(once.next, item({ status }), optIn(), {
      ...context,
      now: context.now + 1,
    });
    expect(twice).toEqual({ ok: true, next: once.next, history: null });
  });

  it("import: a refused item refuses an accepted opt-in and keeps nothing marked expired", () => {
    const current = acceptedState("newsletter", JAN_10);
    const decision = importState(current, item({ status: "refused" }), optIn(), context);
    expect(decision.ok && decision.next).toMatchObject({
      status: "refused",
      statusChangedAt: item().changedAt,
      expiredAt: null,
    });
    expect(decision.ok && decision.history).toMatchObject({
      from: "accepted",
      to: "refused",
      reason: "import",
    });
  });

  it("R2: a newer accepted item accepts a refused opt-in", () => {
    const refused = state("newsletter", { status: "refused", statusChangedAt: at(JAN_10) });
    const decision = importState(refused, item(), optIn(), context);
    expect(decision.ok && decision.next.status).toBe("accepted");
  });

  it("R5: importing an acceptance onto an accepted state does not move its clock backwards", () => {
    const current = acceptedState("newsletter", MAR_1 + 40, {
      statusChangedAt: at(MAR_1 - 10),
      lastActivitySource: "email_clicked",
    });
    const decision = importState(current, item({ changedAt: at(MAR_1) }), optIn(), context);
    expect(decision.ok && decision.next.lastActivityDay).toBe(MAR_1 + 40);
  });
});

describe("R3: an import never accepts a refused legal basis", () => {
  it("R3: a newer accepted item for a refused legal basis fails with LEGAL_BASIS_REFUSED", () => {
    const refused = state("order", { status: "refused", statusChangedAt: at(MAR_1) });
    const before = structuredClone(refused);
    const decision = importState(
      refused,
      item({ consent: "order", changedAt: at(MAR_1) + 1 }),
      legalBasis(),
      context,
    );
    expect(decision).toEqual({ ok: false, error: "LEGAL_BASIS_REFUSED" });
    expect(refused).toEqual(before);
  });

  it("R3: an older accepted item for a refused legal basis is a no-op (newer wins; re-sends stay harmless)", () => {
    const refused = state("order", { status: "refused", statusChangedAt: at(MAR_1) });
    const decision = importState(
      refused,
      item({ consent: "order", changedAt: at(JAN_10) }),
      legalBasis(),
      context,
    );
    expect(decision).toEqual({ ok: true, next: refused, history: null });
  });

  it("R3: an import may accept a legal basis that is unknown", () => {
    const lapsed = state("order", { statusChangedAt: at(JAN_10), expiredAt: at(JAN_10) });
    const decision = importState(lapsed, item({ consent: "order" }), legalBasis(), context);
    expect(decision.ok && decision.next).toMatchObject({ status: "accepted", expiredAt: null });
  });
});
