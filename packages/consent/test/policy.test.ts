import { describe, expect, it } from "vitest";
import {
  activate,
  canonicalEventTypes,
  configure,
  deactivate,
  type EventType,
  type ExpiryPolicy,
  isDue,
  reconfigure,
} from "../src/index.ts";
import { acceptedState, activePolicy, at, day, policy } from "./fixtures.ts";

const JAN_10 = day("2026-01-10");
const MAR_1 = day("2026-03-01");

describe("configure: days and extending events", () => {
  it("a first configuration creates a disabled policy with canonical extending events", () => {
    const result = configure(null, {
      days: 395,
      extendOn: ["order_placed", "email_clicked", "order_placed"],
    });
    expect(result).toEqual({
      ok: true,
      policy: {
        days: 395,
        extendOn: ["email_clicked", "order_placed"],
        enabled: false,
        activatedAt: null,
      },
      clocksReset: false,
      changed: true,
    });
  });

  it("a first configuration without days fails with EXPIRY_NOT_CONFIGURED and says days are needed", () => {
    const result = configure(null, { extendOn: ["order_placed"] });
    expect(result.ok).toBe(false);
    if (result.ok) {
      return;
    }
    expect(result.error).toBe("EXPIRY_NOT_CONFIGURED");
    expect(result.message).toMatch(/days/);
  });

  it("canonicalEventTypes folds duplicates into the seed's order", () => {
    expect(canonicalEventTypes(["account_upserted", "email_clicked", "account_upserted"])).toEqual([
      "email_clicked",
      "account_upserted",
    ]);
  });
});

describe("R8: criteria are frozen while expiry is active", () => {
  const active = activePolicy(JAN_10, { days: 30, extendOn: ["email_clicked", "order_placed"] });

  it.each<{ name: string; extendOn: EventType[] }>([
    { name: "adding a type", extendOn: ["email_clicked", "order_placed", "sms_clicked"] },
    { name: "removing a type", extendOn: ["email_clicked"] },
    { name: "clearing them", extendOn: [] },
  ])(
    "R8: $name while enabled fails with EXPIRY_ACTIVE and a message that says what to do",
    ({ extendOn }) => {
      const result = configure(active, { extendOn });
      expect(result.ok).toBe(false);
      if (result.ok) {
        return;
      }
      expect(result.error).toBe("EXPIRY_ACTIVE");
      expect(result.message).toMatch(/[Dd]eactivate/);
      expect(result.message).toMatch(/reconfigure/);
    },
  );

  it("R8: a failed change leaves the days unchanged too", () => {
    const result = configure(active, { days: 60, extendOn: ["sms_clicked"] });
    expect(result.ok).toBe(false);
    expect(active.days).toBe(30);
  });

  it("R8: the same extending events in another order or with duplicates are not a change", () => {
    const result = configure(active, {
      extendOn: ["order_placed", "email_clicked", "order_placed"],
    });
    expect(result).toEqual({ ok: true, policy: active, clocksReset: false, changed: false });
  });

  it("R8: days may change while enabled, without touching activation or clocks", () => {
    const result = configure(active, { days: 90 });
    expect(result).toEqual({
      ok: true,
      policy: { ...active, days: 90 },
      clocksReset: false,
      changed: true,
    });
  });

  it("R8: days apply from the next run: a state due under 30 days is not due under 90", () => {
    const state = acceptedState("newsletter", MAR_1);
    expect(isDue(state, active, MAR_1 + 30)).toBe(true);
    const result = configure(active, { days: 90 });
    expect(result.ok && isDue(state, result.policy, MAR_1 + 30)).toBe(false);
    expect(result.ok && isDue(state, result.policy, MAR_1 + 90)).toBe(true);
  });

  it("R8: extending events may change while expiry is disabled", () => {
    const disabled = policy({ extendOn: ["email_clicked"], activatedAt: at(JAN_10) });
    const result = configure(disabled, { extendOn: ["sms_clicked"] });
    expect(result).toEqual({
      ok: true,
      policy: { ...disabled, extendOn: ["sms_clicked"] },
      clocksReset: false,
      changed: true,
    });
  });

  it("R8: reconfigure applies new criteria on an active policy, re-activates now and says clocks were reset", () => {
    const now = at(MAR_1, 8 * 3_600_000);
    const result = reconfigure(active, { extendOn: ["sms_clicked"], days: 60 }, now);
    expect(result).toEqual({
      ok: true,
      policy: { days: 60, extendOn: ["sms_clicked"], enabled: true, activatedAt: now },
      clocksReset: true,
      changed: true,
    });
  });

  it("R8: reconfigure resets the clocks: a state due before is not due until the reconfigure day + days", () => {
    const old = acceptedState("newsletter", JAN_10);
    expect(isDue(old, active, MAR_1)).toBe(true);
    const result = reconfigure(active, { extendOn: ["sms_clicked"] }, at(MAR_1));
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(isDue(old, result.policy, MAR_1)).toBe(false);
    expect(isDue(old, result.policy, MAR_1 + 29)).toBe(false);
    expect(isDue(old, result.policy, MAR_1 + 30)).toBe(true);
  });

  it.each([
    { name: "a disabled policy", current: policy({ days: 10 }) },
    { name: "no policy yet", current: null },
  ])("R8: reconfigure of $name configures and activates it", ({ current }) => {
    const result = reconfigure(current, { days: 45, extendOn: ["order_placed"] }, at(MAR_1));
    expect(result.ok && result.policy).toEqual({
      days: 45,
      extendOn: ["order_placed"],
      enabled: true,
      activatedAt: at(MAR_1),
    });
    expect(result.ok && result.clocksReset).toBe(true);
  });

  it("R8: reconfigure without days of a consent with no policy fails with EXPIRY_NOT_CONFIGURED", () => {
    expect(reconfigure(null, { extendOn: ["order_placed"] }, at(MAR_1))).toMatchObject({
      ok: false,
      error: "EXPIRY_NOT_CONFIGURED",
    });
  });
});

describe("R7: activation", () => {
  it("R7: activating sets enabled and activatedAt = now, and resets the clocks", () => {
    const now = at(MAR_1, 17 * 3_600_000);
    const disabled = policy({ days: 30, extendOn: ["email_clicked"] });
    expect(activate(disabled, now)).toEqual({
      ok: true,
      policy: { ...disabled, enabled: true, activatedAt: now },
      clocksReset: true,
      changed: true,
    });
  });

  it("R7: activating an active policy is a no-op (the clocks keep running)", () => {
    const active = activePolicy(JAN_10);
    expect(activate(active, at(MAR_1))).toEqual({
      ok: true,
      policy: active,
      clocksReset: false,
      changed: false,
    });
  });

  it("R7: re-activation replaces the previous activation", () => {
    const off = deactivate(activePolicy(JAN_10));
    expect(off.ok).toBe(true);
    if (!off.ok) {
      return;
    }
    const on = activate(off.policy, at(MAR_1));
    expect(on.ok && on.policy.activatedAt).toBe(at(MAR_1));
    expect(on.ok && on.clocksReset).toBe(true);
  });

  it("R7: activating a consent with no policy fails with EXPIRY_NOT_CONFIGURED and a message", () => {
    const result = activate(null, at(MAR_1));
    expect(result).toMatchObject({ ok: false, error: "EXPIRY_NOT_CONFIGURED" });
    expect(!result.ok && result.message.length).toBeGreaterThan(0);
  });
});

describe("R9: deactivation", () => {
  it("R9: deactivating sets enabled = false and keeps activatedAt for the record", () => {
    const active = activePolicy(JAN_10, { days: 30, extendOn: ["order_placed"] });
    expect(deactivate(active)).toEqual({
      ok: true,
      policy: { ...active, enabled: false },
      clocksReset: false,
      changed: true,
    });
  });

  it.each<{ name: string; current: ExpiryPolicy | null; ok: boolean }>([
    { name: "a disabled policy is a no-op", current: policy(), ok: true },
    { name: "no policy fails with EXPIRY_NOT_CONFIGURED", current: null, ok: false },
  ])("R9: deactivating $name", ({ current, ok }) => {
    const result = deactivate(current);
    expect(result.ok).toBe(ok);
    if (result.ok) {
      expect(result).toEqual({ ok: true, policy: current, clocksReset: false, changed: false });
    } else {
      expect(result.error).toBe("EXPIRY_NOT_CONFIGURED");
    }
  });
});
