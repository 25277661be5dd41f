import { describe, expect, it } from "vitest";
import {
  acceptanceEvent,
  applyEvent,
  applyEvents,
  type Consent,
  type ConsentState,
  decide,
  type EventType,
  effectiveExtendOn,
  isEventTooFarAhead,
  withOutcome,
} from "../src/index.ts";
import {
  ACTOR,
  acceptedState,
  activePolicy,
  at,
  change,
  day,
  event,
  legalBasis,
  MINUTE_MS,
  optIn,
  policy,
  state,
  statesOf,
} from "./fixtures.ts";

const JAN_10 = day("2026-01-10");
const MAR_1 = day("2026-03-01");
const context = { actor: ACTOR, now: at(MAR_1 + 30) };

describe("R4: entry events bring a customer (back) into a legal basis", () => {
  const order = legalBasis({ entryEvents: ["order_placed", "account_upserted"] });
  const lapsedAt = at(JAN_10, 3_600_000);
  const cases: {
    name: string;
    consent: Consent;
    current: ConsentState | undefined;
    type: EventType;
    occurredAt: number;
    enters: boolean;
  }[] = [
    {
      name: "an order enters an absent state",
      consent: order,
      current: undefined,
      type: "order_placed",
      occurredAt: at(MAR_1),
      enters: true,
    },
    {
      name: "any listed entry event enters",
      consent: order,
      current: undefined,
      type: "account_upserted",
      occurredAt: at(MAR_1),
      enters: true,
    },
    {
      name: "an order after the lapse enters the lapsed state",
      consent: order,
      current: state("order", {
        statusChangedAt: lapsedAt,
        expiredAt: lapsedAt,
        lastActivityDay: JAN_10 - 30,
      }),
      type: "order_placed",
      occurredAt: lapsedAt + 1,
      enters: true,
    },
    {
      name: "an event older than the state's last status change does not re-enter",
      consent: order,
      current: state("order", { statusChangedAt: lapsedAt, expiredAt: lapsedAt }),
      type: "order_placed",
      occurredAt: lapsedAt - 1,
      enters: false,
    },
    {
      name: "an event at the very instant of the last status change does not re-enter",
      consent: order,
      current: state("order", { statusChangedAt: lapsedAt, expiredAt: lapsedAt }),
      type: "order_placed",
      occurredAt: lapsedAt,
      enters: false,
    },
    {
      name: "refused stays refused",
      consent: order,
      current: state("order", { status: "refused", statusChangedAt: lapsedAt }),
      type: "order_placed",
      occurredAt: at(MAR_1),
      enters: false,
    },
    {
      name: "an event that is not an entry event does not enter",
      consent: order,
      current: undefined,
      type: "email_clicked",
      occurredAt: at(MAR_1),
      enters: false,
    },
    {
      name: "an opt-in is never entered, even if it lists entry events",
      consent: optIn({ entryEvents: ["order_placed"] }),
      current: undefined,
      type: "order_placed",
      occurredAt: at(MAR_1),
      enters: false,
    },
    {
      name: "a legal basis without entry events is never entered",
      consent: legalBasis({ entryEvents: [] }),
      current: undefined,
      type: "order_placed",
      occurredAt: at(MAR_1),
      enters: false,
    },
  ];

  it.each(cases)("R4: $name", ({ consent, current, type, occurredAt, enters }) => {
    const states = current ? statesOf(current) : new Map<string, ConsentState>();
    const outcome = applyEvent(states, [consent], event(type, occurredAt, "cust_7"), context);
    const after = withOutcome(states, outcome);
    if (enters) {
      expect(outcome.entries).toHaveLength(1);
      expect(after.get(consent.key)).toEqual({
        consent: consent.key,
        status: "accepted",
        statusChangedAt: occurredAt,
        lastActivityDay: Math.floor(occurredAt / 86_400_000),
        lastActivitySource: type,
        expiredAt: null,
      });
      expect(outcome.entries[0]?.history).toEqual({
        profileId: "cust_7",
        consent: consent.key,
        consentVersion: consent.version,
        from: "unknown",
        to: "accepted",
        reason: "entry_event",
        actor: ACTOR,
        occurredAt,
        recordedAt: context.now,
      });
    } else {
      expect(outcome.entries).toEqual([]);
      expect(after.get(consent.key)).toEqual(current);
    }
  });

  it("R4: a repeated entry event enters once and writes one history entry", () => {
    const order = legalBasis();
    const events = [
      event("order_placed", at(MAR_1)),
      event("order_placed", at(MAR_1)),
      event("order_placed", at(MAR_1 + 2)),
    ];
    const { states, history } = applyEvents(new Map(), [order], events, context);
    expect(history).toHaveLength(1);
    expect(states.get("order")).toMatchObject({ status: "accepted", lastActivityDay: MAR_1 + 2 });
  });
});

describe("R5: events extend the last activity of accepted states", () => {
  const email = optIn({
    expiry: activePolicy(JAN_10, { extendOn: ["email_clicked", "order_placed"] }),
  });
  const cases: {
    name: string;
    consent: Consent;
    current: ConsentState;
    type: EventType;
    eventDay: number;
    expected: number | null;
  }[] = [
    {
      name: "a later day in extendOn extends",
      consent: email,
      current: acceptedState("newsletter", MAR_1),
      type: "email_clicked",
      eventDay: MAR_1 + 1,
      expected: MAR_1 + 1,
    },
    {
      name: "the same day does not extend (nothing to write)",
      consent: email,
      current: acceptedState("newsletter", MAR_1),
      type: "email_clicked",
      eventDay: MAR_1,
      expected: null,
    },
    {
      name: "an earlier day does not move the clock back",
      consent: email,
      current: acceptedState("newsletter", MAR_1),
      type: "order_placed",
      eventDay: MAR_1 - 10,
      expected: null,
    },
    {
      name: "a type outside extendOn does not extend",
      consent: email,
      current: acceptedState("newsletter", MAR_1),
      type: "sms_clicked",
      eventDay: MAR_1 + 5,
      expected: null,
    },
    {
      name: "a state with no last activity yet is extended",
      consent: email,
      current: acceptedState("newsletter", MAR_1, { lastActivityDay: null }),
      type: "email_clicked",
      eventDay: MAR_1,
      expected: MAR_1,
    },
    {
      name: "a disabled policy still records last activity (R9)",
      consent: optIn({ expiry: policy({ extendOn: ["email_clicked"] }) }),
      current: acceptedState("newsletter", MAR_1),
      type: "email_clicked",
      eventDay: MAR_1 + 3,
      expected: MAR_1 + 3,
    },
    {
      name: "a consent with no policy has nothing to extend on",
      consent: optIn({ expiry: null }),
      current: acceptedState("newsletter", MAR_1),
      type: "email_clicked",
      eventDay: MAR_1 + 3,
      expected: null,
    },
    {
      name: "a legal basis is extended by its entry events (effective extendOn)",
      consent: legalBasis({ expiry: activePolicy(JAN_10, { extendOn: [] }) }),
      current: acceptedState("order", MAR_1),
      type: "order_placed",
      eventDay: MAR_1 + 4,
      expected: MAR_1 + 4,
    },
    {
      name: "a refused state is not extended",
      consent: email,
      current: state("newsletter", { status: "refused", lastActivityDay: MAR_1 }),
      type: "email_clicked",
      eventDay: MAR_1 + 4,
      expected: null,
    },
    {
      name: "an unknown state is not extended",
      consent: email,
      current: state("newsletter", { lastActivityDay: MAR_1 }),
      type: "email_clicked",
      eventDay: MAR_1 + 4,
      expected: null,
    },
  ];

  it.each(cases)("R5: $name", ({ consent, current, type, eventDay, expected }) => {
    const states = statesOf(current);
    const outcome = applyEvent(
      states,
      [consent],
      event(type, at(eventDay, 12 * 3_600_000)),
      context,
    );
    const after = withOutcome(states, outcome).get(consent.key);
    if (expected === null) {
      expect(outcome).toEqual({ extensions: [], entries: [] });
      expect(after).toBe(current);
    } else {
      expect(outcome.extensions).toEqual([
        { consent: consent.key, lastActivityDay: expected, source: type },
      ]);
      expect(after).toEqual({ ...current, lastActivityDay: expected, lastActivitySource: type });
    }
  });

  it("R5: one event extends every accepted state of the profile whose consent lists it", () => {
    const consents = [
      optIn({ key: "newsletter", expiry: policy({ extendOn: ["order_placed"] }) }),
      optIn({ key: "sms", expiry: policy({ extendOn: ["sms_clicked"] }) }),
      legalBasis({ key: "order" }),
    ];
    const states = statesOf(
      acceptedState("newsletter", JAN_10),
      acceptedState("sms", JAN_10),
      acceptedState("order", JAN_10),
    );
    const { states: after } = applyEvents(
      states,
      consents,
      [event("order_placed", at(MAR_1))],
      context,
    );
    expect(after.get("newsletter")?.lastActivityDay).toBe(MAR_1);
    expect(after.get("sms")?.lastActivityDay).toBe(JAN_10);
    expect(after.get("order")?.lastActivityDay).toBe(MAR_1);
  });

  it("R5: events for a profile with no accepted state change nothing and are not an error", () => {
    const consents = [
      optIn({ expiry: policy({ extendOn: ["email_clicked"] }) }),
      legalBasis({ entryEvents: [] }),
    ];
    const states = statesOf(
      state("newsletter", { status: "refused" }),
      state("order", { lastActivityDay: JAN_10 }),
    );
    const result = applyEvents(
      states,
      consents,
      [event("email_clicked", at(MAR_1)), event("order_placed", at(MAR_1))],
      context,
    );
    expect(result.history).toEqual([]);
    expect(result.states).toEqual(states);
  });

  it("R5: applying an outcome leaves the input states as they were", () => {
    const current = acceptedState("newsletter", JAN_10);
    const states = statesOf(current);
    const consent = optIn({ expiry: policy({ extendOn: ["email_clicked"] }) });
    const after = withOutcome(
      states,
      applyEvent(states, [consent], event("email_clicked", at(MAR_1)), context),
    );
    expect(after.get("newsletter")?.lastActivityDay).toBe(MAR_1);
    expect(states.get("newsletter")).toBe(current);
    expect(current.lastActivityDay).toBe(JAN_10);
  });

  it("R5: effectiveExtendOn is extendOn, plus the entry events of a legal basis only", () => {
    expect([
      ...effectiveExtendOn(
        optIn({ entryEvents: ["order_placed"], expiry: policy({ extendOn: ["email_clicked"] }) }),
      ),
    ]).toEqual(["email_clicked"]);
    expect(
      new Set(
        effectiveExtendOn(
          legalBasis({
            entryEvents: ["order_placed"],
            expiry: policy({ extendOn: ["email_clicked"] }),
          }),
        ),
      ),
    ).toEqual(new Set(["email_clicked", "order_placed"]));
    expect([
      ...effectiveExtendOn(legalBasis({ entryEvents: ["order_placed"], expiry: null })),
    ]).toEqual(["order_placed"]);
  });

  // Known bug (see the test report): an extending event that happened after an entry event but
  // arrives before it is lost, so the final last activity depends on the arrival order, against
  // R5 ("order and repetition of events do not matter"). `it.fails` keeps the suite green while
  // the bug stands and turns red once it is fixed, so this test must then become a plain `it`.
  it.fails("R5: an entry and a later extending event give the same last activity in either order", () => {
    const order = legalBasis({
      entryEvents: ["order_placed"],
      expiry: policy({ extendOn: ["email_clicked"] }),
    });
    const entry = event("order_placed", at(MAR_1));
    const click = event("email_clicked", at(MAR_1 + 10));
    const inOrder = applyEvents(new Map(), [order], [entry, click], context).states.get("order");
    const reversed = applyEvents(new Map(), [order], [click, entry], context).states.get("order");
    expect(inOrder?.lastActivityDay).toBe(MAR_1 + 10);
    expect(reversed?.lastActivityDay).toBe(inOrder?.lastActivityDay);
  });
});

describe("R5: events dated more than five minutes ahead are rejected", () => {
  const now = at(MAR_1, 12 * 3_600_000);
  it.each([
    { name: "an event in the past", occurredAt: now - 30 * 86_400_000, rejected: false },
    { name: "an event now", occurredAt: now, rejected: false },
    {
      name: "an event 4 minutes 59.999 s ahead",
      occurredAt: now + 5 * MINUTE_MS - 1,
      rejected: false,
    },
    { name: "an event exactly 5 minutes ahead", occurredAt: now + 5 * MINUTE_MS, rejected: false },
    {
      name: "an event 5 minutes and 1 ms ahead",
      occurredAt: now + 5 * MINUTE_MS + 1,
      rejected: true,
    },
    { name: "an event a day ahead", occurredAt: now + 86_400_000, rejected: true },
  ])("R5: $name is rejected=$rejected", ({ occurredAt, rejected }) => {
    expect(isEventTooFarAhead(occurredAt, now)).toBe(rejected);
  });
});

describe("R6: accepting a consent is a consent_accepted event for the others", () => {
  it("R6: acceptanceEvent is a consent_accepted event of the profile at the acceptance time", () => {
    expect(acceptanceEvent("cust_9", at(MAR_1, 42))).toEqual({
      profileId: "cust_9",
      type: "consent_accepted",
      occurredAt: at(MAR_1, 42),
    });
  });

  it("R6: accepting the newsletter extends the consents that list consent_accepted, and only those", () => {
    const newsletter = optIn({ key: "newsletter" });
    const others = [
      optIn({ key: "sms", expiry: activePolicy(JAN_10, { extendOn: ["consent_accepted"] }) }),
      optIn({ key: "partners", expiry: activePolicy(JAN_10, { extendOn: ["email_clicked"] }) }),
      legalBasis({
        key: "order",
        entryEvents: ["order_placed"],
        expiry: activePolicy(JAN_10, { extendOn: ["consent_accepted"] }),
      }),
    ];
    const states = statesOf(
      acceptedState("sms", JAN_10),
      acceptedState("partners", JAN_10),
      acceptedState("order", JAN_10),
    );
    const acceptedAt = at(MAR_1, 10 * 3_600_000);
    const decision = decide(
      undefined,
      { consent: "newsletter", status: "accepted" },
      newsletter,
      change({ occurredAt: acceptedAt }),
    );
    expect(decision.ok && decision.acceptedNow).toBe(true);
    const after = withOutcome(
      states,
      applyEvent(states, others, acceptanceEvent("cust_1", acceptedAt), context),
    );
    expect(after.get("sms")).toMatchObject({
      lastActivityDay: MAR_1,
      lastActivitySource: "consent_accepted",
    });
    expect(after.get("order")).toMatchObject({
      lastActivityDay: MAR_1,
      lastActivitySource: "consent_accepted",
    });
    expect(after.get("partners")?.lastActivityDay).toBe(JAN_10);
  });

  it("R6: a legal basis whose entry events list consent_accepted is entered by another acceptance", () => {
    const marketing = legalBasis({ key: "marketing", entryEvents: ["consent_accepted"] });
    const outcome = applyEvent(
      new Map(),
      [marketing],
      acceptanceEvent("cust_1", at(MAR_1)),
      context,
    );
    expect(outcome.entries.map((e) => [e.next.consent, e.next.status, e.history.reason])).toEqual([
      ["marketing", "accepted", "entry_event"],
    ]);
  });
});
