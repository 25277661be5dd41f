/**
 * fast-check properties of the domain: order independence (R5), the O(1) activation model
 * against a naive rewrite-everything model (R7–R10), refused legal bases (R3) and the forecast.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptanceEvent,
  activate,
  applyEvent,
  applyEvents,
  type Consent,
  type ConsentEvent,
  type ConsentState,
  configure,
  deactivate,
  decide,
  dueThroughDay,
  EVENT_TYPES,
  type EventType,
  type ExpiryPolicy,
  expire,
  expiresOn,
  firstPossibleDueDay,
  forecast,
  importState,
  isDue,
  type RequestedStatus,
  reconfigure,
  statusOf,
  withOutcome,
} from "../src/index.ts";
import {
  at,
  DAY_MS,
  day,
  event,
  legalBasis,
  optIn,
  PROPERTY_RUNS,
  policy,
  state,
} from "./fixtures.ts";

const BASE = day("2026-01-01");
const ACTOR = "key_property";
const typeArb = fc.constantFrom(...EVENT_TYPES);
const typesArb = fc.subarray([...EVENT_TYPES]);

/** The day of an instant, computed here so the reference models do not borrow `dayOf`. */
const dayAt = (instant: number) => Math.floor(instant / DAY_MS);

/** A thousand generated histories take a few seconds, more on a loaded CI machine. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe("R5: order and repetition of events do not matter", () => {
  const startArb = fc.constantFrom("absent", "unknown", "accepted", "refused");
  const consentSpecArb = fc.record({
    kind: fc.constantFrom("opt_in" as const, "legal_basis" as const),
    entryEvents: typesArb,
    extendOn: typesArb,
    hasPolicy: fc.boolean(),
    enabled: fc.boolean(),
    start: startArb,
    changedMs: fc.integer({ min: 0, max: 20 * DAY_MS }),
    lastActivity: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  });
  const eventSpecArb = fc.record({
    type: typeArb,
    offsetMs: fc.integer({ min: 0, max: 30 * DAY_MS }),
    copies: fc.integer({ min: 1, max: 3 }),
  });

  const scenarioArb = fc
    .record({
      specs: fc.array(consentSpecArb, { minLength: 1, maxLength: 4 }),
      events: fc.array(eventSpecArb, { maxLength: 20 }),
    })
    .chain(({ specs, events }) => {
      const consents: Consent[] = [];
      const states = new Map<string, ConsentState>();
      specs.forEach((spec, i) => {
        const key = `c${i}`;
        const enterable =
          spec.kind === "legal_basis" &&
          (spec.start === "absent" || spec.start === "unknown") &&
          spec.entryEvents.length > 0;
        // An enterable legal basis only extends on its entry events: with another extending
        // type, an extension that arrives before the entry is lost (the known bug pinned by
        // `it.fails` in events.test.ts), and that case is not what this property is about.
        const extendOn = enterable
          ? spec.extendOn.filter((t) => spec.entryEvents.includes(t))
          : spec.extendOn;
        consents.push(
          (spec.kind === "opt_in" ? optIn : legalBasis)({
            key,
            entryEvents: spec.entryEvents,
            expiry: spec.hasPolicy
              ? policy({
                  extendOn,
                  enabled: spec.enabled,
                  activatedAt: spec.enabled ? at(BASE) : null,
                })
              : null,
          }),
        );
        const lastActivityDay = spec.lastActivity === null ? null : BASE + spec.lastActivity;
        const statusChangedAt = at(BASE) + spec.changedMs;
        if (spec.start === "absent") {
          return;
        }
        states.set(
          key,
          state(key, {
            status: spec.start,
            statusChangedAt,
            lastActivityDay,
            lastActivitySource: lastActivityDay === null ? null : "accepted",
          }),
        );
      });
      const unique = events.map((e) => event(e.type, at(BASE) + e.offsetMs));
      const repeated = events.flatMap((e, i) =>
        Array.from({ length: e.copies }, () => unique[i] as ConsentEvent),
      );
      return fc
        .shuffledSubarray(repeated, { minLength: repeated.length, maxLength: repeated.length })
        .map((reordered) => ({ consents, states, unique, reordered }));
    });

  function project(consents: readonly Consent[], states: ReadonlyMap<string, ConsentState>) {
    return consents.map((c) => {
      const s = states.get(c.key);
      return { consent: c.key, status: statusOf(s), lastActivityDay: s?.lastActivityDay ?? null };
    });
  }

  it(
    "R5: any order, with any repeats, yields the same statuses and last activity days",
    () => {
      let changedSomething = 0;
      fc.assert(
        fc.property(scenarioArb, ({ consents, states, unique, reordered }) => {
          const context = { actor: ACTOR, now: at(BASE + 40) };
          const once = applyEvents(states, consents, unique, context).states;
          const shuffled = applyEvents(states, consents, reordered, context).states;
          const reversed = applyEvents(states, consents, [...unique].reverse(), context).states;
          const expected = project(consents, once);
          expect(project(consents, shuffled)).toEqual(expected);
          expect(project(consents, reversed)).toEqual(expected);
          if (JSON.stringify(expected) !== JSON.stringify(project(consents, states))) {
            changedSomething++;
          }
        }),
        { numRuns: PROPERTY_RUNS },
      );
      // Not vacuous: many generated cases move a clock or enter a basis.
      expect(changedSomething).toBeGreaterThan(PROPERTY_RUNS / 4);
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("R7–R10: the O(1) activation model expires exactly what a naive rewrite would", () => {
  const PROFILES = ["p0", "p1", "p2"] as const;
  const profileArb = fc.integer({ min: 0, max: PROFILES.length - 1 });
  const daysArb = fc.integer({ min: 1, max: 12 });
  // Mostly acceptances, so that there is something to expire.
  const acceptMostlyArb = fc.constantFrom<RequestedStatus>(
    "accepted",
    "accepted",
    "accepted",
    "refused",
  );

  type Op =
    | { kind: "request"; profile: number; consent: number; status: RequestedStatus }
    | { kind: "event"; profile: number; type: EventType }
    | { kind: "activate"; consent: number }
    | { kind: "deactivate"; consent: number }
    | { kind: "reconfigure"; consent: number; days: number; extendOn: EventType[] }
    | { kind: "configureDays"; consent: number; days: number }
    | { kind: "configureExtendOn"; consent: number; extendOn: EventType[] }
    | { kind: "run" };

  const scenarioArb = fc
    .array(
      fc.record({
        kind: fc.constantFrom("opt_in" as const, "legal_basis" as const),
        entryEvents: typesArb,
        days: daysArb,
        extendOn: typesArb,
      }),
      { minLength: 1, maxLength: 2 },
    )
    .chain((consents) => {
      const consentArb = fc.integer({ min: 0, max: consents.length - 1 });
      const opArb: fc.Arbitrary<Op> = fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            kind: fc.constant("request" as const),
            profile: profileArb,
            consent: consentArb,
            status: acceptMostlyArb,
          }),
        },
        {
          weight: 4,
          arbitrary: fc.record({
            kind: fc.constant("event" as const),
            profile: profileArb,
            type: typeArb,
          }),
        },
        { weight: 4, arbitrary: fc.record({ kind: fc.constant("run" as const) }) },
        {
          weight: 3,
          arbitrary: fc.record({ kind: fc.constant("activate" as const), consent: consentArb }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant("deactivate" as const), consent: consentArb }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("reconfigure" as const),
            consent: consentArb,
            days: daysArb,
            extendOn: typesArb,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("configureDays" as const),
            consent: consentArb,
            days: daysArb,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("configureExtendOn" as const),
            consent: consentArb,
            extendOn: typesArb,
          }),
        },
      );
      // Each step happens strictly after the previous one: the histories are time-ordered.
      const stepArb = fc.record({ advanceMs: fc.integer({ min: 1, max: 3 * DAY_MS }), op: opArb });
      return fc
        .array(stepArb, { minLength: 1, maxLength: 60, size: "max" })
        .map((steps) => ({ consents, steps }));
    });

  interface NaiveState {
    status: "accepted" | "refused" | "unknown";
    lastActivity: number | null;
    changedAt: number;
  }
  interface NaivePolicy {
    days: number;
    extendOn: EventType[];
    enabled: boolean;
  }

  it(
    "R7–R10: same expired (profile, consent) pairs at every run, same statuses and lapse days at every step",
    () => {
      let expirations = 0;
      let flooredExpirations = 0;
      let casesWithExpiry = 0;
      fc.assert(
        fc.property(scenarioArb, ({ consents: specs, steps }) => {
          const bases = specs.map((spec, i) =>
            (spec.kind === "opt_in" ? optIn : legalBasis)({
              key: `c${i}`,
              entryEvents: spec.entryEvents,
            }),
          );
          const keys = bases.map((b) => b.key);

          // The real model: the domain functions, activation kept as one timestamp.
          const policies: ExpiryPolicy[] = specs.map((spec) =>
            policy({ days: spec.days, extendOn: spec.extendOn }),
          );
          const real = PROFILES.map(() => new Map<string, ConsentState>());
          const consentAt = (i: number): Consent => ({
            ...(bases[i] as Consent),
            expiry: policies[i] ?? null,
          });
          const allConsents = () => bases.map((_, i) => consentAt(i));

          // The naive model: activation rewrites every accepted state's last activity.
          const naivePolicies: NaivePolicy[] = specs.map((spec) => ({
            days: spec.days,
            extendOn: [...spec.extendOn],
            enabled: false,
          }));
          const naive = PROFILES.map(() =>
            bases.map((): NaiveState => ({ status: "unknown", lastActivity: null, changedAt: 0 })),
          );
          const naiveTouch = (p: number, i: number, type: EventType, now: number) => {
            const s = naive[p]?.[i] as NaiveState;
            const base = bases[i] as Consent;
            const isLegal = base.kind === "legal_basis";
            if (s.status === "accepted") {
              if (
                (naivePolicies[i] as NaivePolicy).extendOn.includes(type) ||
                (isLegal && base.entryEvents.includes(type))
              ) {
                s.lastActivity = Math.max(s.lastActivity ?? dayAt(now), dayAt(now));
              }
            } else if (
              isLegal &&
              s.status === "unknown" &&
              base.entryEvents.includes(type) &&
              now > s.changedAt
            ) {
              Object.assign(s, { status: "accepted", lastActivity: dayAt(now), changedAt: now });
            }
          };
          const naiveActivate = (i: number, now: number) => {
            (naivePolicies[i] as NaivePolicy).enabled = true;
            for (const row of naive) {
              const s = row[i] as NaiveState;
              if (s.status === "accepted") {
                s.lastActivity = Math.max(s.lastActivity ?? dayAt(now), dayAt(now));
              }
            }
          };

          let now = at(BASE, 9 * 3_600_000);
          const expirationsBefore = expirations;
          for (const { advanceMs, op } of steps) {
            now += advanceMs;
            const context = { actor: ACTOR, now };
            switch (op.kind) {
              case "request": {
                const key = keys[op.consent] as string;
                const profileStates = real[op.profile] as Map<string, ConsentState>;
                const profileId = PROFILES[op.profile] as string;
                const decision = decide(
                  profileStates.get(key),
                  { consent: key, status: op.status },
                  consentAt(op.consent),
                  {
                    profileId,
                    reason: "api",
                    actor: ACTOR,
                    occurredAt: now,
                    now,
                  },
                );
                if (decision.ok) {
                  profileStates.set(key, decision.next);
                  if (decision.acceptedNow) {
                    const others = allConsents().filter((c) => c.key !== key);
                    const outcome = applyEvent(
                      profileStates,
                      others,
                      acceptanceEvent(profileId, now),
                      context,
                    );
                    real[op.profile] = withOutcome(profileStates, outcome);
                  }
                }
                const s = naive[op.profile]?.[op.consent] as NaiveState;
                const isLegal = (bases[op.consent] as Consent).kind === "legal_basis";
                if (isLegal && s.status === "refused" && op.status === "accepted") {
                  break;
                }
                if (s.status === op.status) {
                  if (op.status === "accepted") {
                    s.lastActivity = Math.max(s.lastActivity ?? dayAt(now), dayAt(now));
                  }
                  break;
                }
                s.status = op.status;
                s.changedAt = now;
                if (op.status === "accepted") {
                  s.lastActivity = dayAt(now);
                  bases.forEach((_, j) => {
                    if (j !== op.consent) {
                      naiveTouch(op.profile, j, "consent_accepted", now);
                    }
                  });
                }
                break;
              }
              case "event": {
                const profileStates = real[op.profile] as Map<string, ConsentState>;
                const e = event(op.type, now, PROFILES[op.profile]);
                real[op.profile] = withOutcome(
                  profileStates,
                  applyEvent(profileStates, allConsents(), e, context),
                );
                bases.forEach((_, j) => {
                  naiveTouch(op.profile, j, op.type, now);
                });
                break;
              }
              case "activate": {
                const result = activate(policies[op.consent] ?? null, now);
                expect(result.ok).toBe(true);
                if (result.ok) {
                  policies[op.consent] = result.policy;
                }
                if (!(naivePolicies[op.consent] as NaivePolicy).enabled) {
                  naiveActivate(op.consent, now);
                }
                break;
              }
              case "deactivate": {
                const result = deactivate(policies[op.consent] ?? null);
                if (result.ok) {
                  policies[op.consent] = result.policy;
                }
                (naivePolicies[op.consent] as NaivePolicy).enabled = false;
                break;
              }
              case "reconfigure": {
                const result = reconfigure(
                  policies[op.consent] ?? null,
                  { days: op.days, extendOn: op.extendOn },
                  now,
                );
                expect(result.ok && result.clocksReset).toBe(true);
                if (result.ok) {
                  policies[op.consent] = result.policy;
                }
                Object.assign(naivePolicies[op.consent] as NaivePolicy, {
                  days: op.days,
                  extendOn: [...op.extendOn],
                });
                naiveActivate(op.consent, now);
                break;
              }
              case "configureDays": {
                const result = configure(policies[op.consent] ?? null, { days: op.days });
                if (result.ok) {
                  policies[op.consent] = result.policy;
                }
                (naivePolicies[op.consent] as NaivePolicy).days = op.days;
                break;
              }
              case "configureExtendOn": {
                const result = configure(policies[op.consent] ?? null, { extendOn: op.extendOn });
                if (result.ok) {
                  policies[op.consent] = result.policy;
                }
                const np = naivePolicies[op.consent] as NaivePolicy;
                const same =
                  new Set(np.extendOn).size === new Set(op.extendOn).size &&
                  op.extendOn.every((t) => np.extendOn.includes(t));
                // R8: a change of extending events while enabled is refused; the same set is not a change.
                expect(result.ok).toBe(!np.enabled || same);
                if (result.ok) {
                  np.extendOn = [...op.extendOn];
                }
                break;
              }
              case "run": {
                const runDay = dayAt(now);
                const expiredReal: string[] = [];
                real.forEach((profileStates, p) => {
                  bases.forEach((base, i) => {
                    const s = profileStates.get(base.key);
                    const expiry = policies[i] ?? null;
                    if (s && isDue(s, expiry, runDay)) {
                      expirations++;
                      if (
                        expiry?.activatedAt != null &&
                        (s.lastActivityDay ?? -Infinity) < dayAt(expiry.activatedAt)
                      ) {
                        flooredExpirations++;
                      }
                      const { next, history } = expire(s, consentAt(i), {
                        profileId: PROFILES[p] as string,
                        runAt: now,
                        now,
                      });
                      expect(history.reason).toBe("expired");
                      profileStates.set(base.key, next);
                      expiredReal.push(`${PROFILES[p]}/${base.key}`);
                    }
                  });
                });
                // R10: running the same T again expires nothing more.
                for (const profileStates of real) {
                  bases.forEach((base, i) => {
                    const s = profileStates.get(base.key);
                    if (s) {
                      expect(isDue(s, policies[i] ?? null, runDay)).toBe(false);
                    }
                  });
                }
                const expiredNaive: string[] = [];
                naive.forEach((row, p) => {
                  row.forEach((s, i) => {
                    const np = naivePolicies[i] as NaivePolicy;
                    if (
                      np.enabled &&
                      s.status === "accepted" &&
                      s.lastActivity !== null &&
                      s.lastActivity + np.days <= runDay
                    ) {
                      Object.assign(s, { status: "unknown", changedAt: now });
                      expiredNaive.push(`${PROFILES[p]}/${keys[i]}`);
                    }
                  });
                });
                expect(expiredReal).toEqual(expiredNaive);
                break;
              }
            }
            // After every step both models agree on every status and on the day each state lapses.
            PROFILES.forEach((_, p) => {
              bases.forEach((base, i) => {
                const r = real[p]?.get(base.key);
                const n = naive[p]?.[i] as NaiveState;
                const np = naivePolicies[i] as NaivePolicy;
                expect(statusOf(r)).toBe(n.status);
                const naiveLapse =
                  np.enabled && n.status === "accepted" && n.lastActivity !== null
                    ? n.lastActivity + np.days
                    : null;
                expect(r ? expiresOn(r, policies[i] ?? null) : null).toBe(naiveLapse);
              });
            });
          }
          if (expirations > expirationsBefore) {
            casesWithExpiry++;
          }
        }),
        { numRuns: PROPERTY_RUNS },
      );
      // Not vacuous: states do lapse, and many lapse on a clock floored at an activation day.
      expect(casesWithExpiry).toBeGreaterThan(PROPERTY_RUNS / 3);
      expect(flooredExpirations).toBeGreaterThan(PROPERTY_RUNS / 5);
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("R3: a refused legal basis never becomes accepted again", () => {
  type Op =
    | { kind: "request"; consent: number; status: RequestedStatus }
    | { kind: "event"; type: EventType }
    | {
        kind: "import";
        consent: number;
        status: RequestedStatus;
        skewMs: number;
        activityMs: number | null;
      }
    | { kind: "activate"; consent: number }
    | { kind: "run" };
  const consentArb = fc.integer({ min: 0, max: 1 });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("request" as const),
      consent: consentArb,
      status: fc.constantFrom<RequestedStatus>("accepted", "refused"),
    }),
    fc.record({ kind: fc.constant("event" as const), type: typeArb }),
    fc.record({
      kind: fc.constant("import" as const),
      consent: consentArb,
      status: fc.constantFrom<RequestedStatus>("accepted", "refused"),
      skewMs: fc.integer({ min: -10 * DAY_MS, max: 10 * DAY_MS }),
      activityMs: fc.option(fc.integer({ min: -10 * DAY_MS, max: 10 * DAY_MS }), { nil: null }),
    }),
    fc.record({ kind: fc.constant("activate" as const), consent: consentArb }),
    fc.record({ kind: fc.constant("run" as const) }),
  );
  const scenarioArb = fc.record({
    entryEvents: fc.subarray([...EVENT_TYPES], { minLength: 1 }),
    extendOn: typesArb,
    days: fc.integer({ min: 1, max: 10 }),
    steps: fc.array(fc.record({ advanceMs: fc.integer({ min: 1, max: 3 * DAY_MS }), op: opArb }), {
      maxLength: 50,
      size: "max",
    }),
  });

  it(
    "R3: for any sequence of requests, events, imports and runs, refused stays refused",
    () => {
      let acceptAttemptsAfterRefusal = 0;
      fc.assert(
        fc.property(scenarioArb, ({ entryEvents, extendOn, days, steps }) => {
          const bases = [
            legalBasis({ key: "order", entryEvents }),
            optIn({ key: "newsletter", expiry: null }),
          ];
          const policies: ExpiryPolicy[] = bases.map(() => policy({ days, extendOn }));
          const consentAt = (i: number): Consent => ({
            ...(bases[i] as Consent),
            expiry: policies[i] ?? null,
          });
          let states = new Map<string, ConsentState>();
          let refusedSince: number | null = null;
          let now = at(BASE);
          for (const { advanceMs, op } of steps) {
            now += advanceMs;
            const context = { actor: ACTOR, now };
            switch (op.kind) {
              case "request": {
                const consent = consentAt(op.consent);
                const current = states.get(consent.key);
                const decision = decide(
                  current,
                  { consent: consent.key, status: op.status },
                  consent,
                  {
                    profileId: "p0",
                    reason: "customer",
                    actor: ACTOR,
                    occurredAt: now,
                    now,
                  },
                );
                const forbidden =
                  consent.kind === "legal_basis" &&
                  statusOf(current) === "refused" &&
                  op.status === "accepted";
                if (forbidden) {
                  acceptAttemptsAfterRefusal++;
                }
                expect(decision.ok).toBe(!forbidden);
                if (decision.ok) {
                  states.set(consent.key, decision.next);
                  if (decision.acceptedNow) {
                    const others = bases
                      .map((_, i) => consentAt(i))
                      .filter((c) => c.key !== consent.key);
                    states = withOutcome(
                      states,
                      applyEvent(states, others, acceptanceEvent("p0", now), context),
                    );
                  }
                } else {
                  expect(decision.error).toBe("LEGAL_BASIS_REFUSED");
                }
                break;
              }
              case "event": {
                if (refusedSince !== null && entryEvents.includes(op.type)) {
                  acceptAttemptsAfterRefusal++;
                }
                const consents = bases.map((_, i) => consentAt(i));
                states = withOutcome(
                  states,
                  applyEvent(states, consents, event(op.type, now, "p0"), context),
                );
                break;
              }
              case "import": {
                const consent = consentAt(op.consent);
                const changedAt = now + op.skewMs;
                if (
                  refusedSince !== null &&
                  consent.kind === "legal_basis" &&
                  op.status === "accepted"
                ) {
                  acceptAttemptsAfterRefusal++;
                }
                const decision = importState(
                  states.get(consent.key),
                  {
                    profileId: "p0",
                    consent: consent.key,
                    status: op.status,
                    changedAt,
                    lastActivityAt: op.activityMs === null ? undefined : changedAt + op.activityMs,
                  },
                  consent,
                  context,
                );
                if (decision.ok) {
                  states.set(consent.key, decision.next);
                }
                break;
              }
              case "activate": {
                const result = activate(policies[op.consent] ?? null, now);
                if (result.ok) {
                  policies[op.consent] = result.policy;
                }
                break;
              }
              case "run": {
                bases.forEach((base, i) => {
                  const s = states.get(base.key);
                  if (s && isDue(s, policies[i] ?? null, dayAt(now))) {
                    states.set(
                      base.key,
                      expire(s, consentAt(i), { profileId: "p0", runAt: now, now }).next,
                    );
                  }
                });
                break;
              }
            }
            const after = states.get("order");
            if (refusedSince === null && after?.status === "refused") {
              refusedSince = now;
            }
            if (refusedSince !== null) {
              expect(after?.status).not.toBe("accepted");
              expect(after?.status).toBe("refused");
            }
          }
        }),
        { numRuns: PROPERTY_RUNS },
      );
      // Not vacuous: refused legal bases are often asked, entered or imported as accepted.
      expect(acceptAttemptsAfterRefusal).toBeGreaterThan(PROPERTY_RUNS);
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("R10: forecast and the nightly expiry agree", () => {
  const policyArb = fc.record({
    days: fc.integer({ min: 1, max: 40 }),
    enabled: fc.boolean(),
    activatedAt: fc.option(fc.integer({ min: at(BASE - 60), max: at(BASE + 60) }), { nil: null }),
  });
  const bucketsArb = fc.array(
    fc.record({
      lastActivityDay: fc.option(fc.integer({ min: BASE - 100, max: BASE + 100 }), { nil: null }),
      count: fc.integer({ min: 1, max: 1000 }),
    }),
    { maxLength: 12 },
  );

  it(
    "R10: forecast counts, day by day, the states first due that day (overdue on the first day)",
    () => {
      let forecastsWithLapses = 0;
      fc.assert(
        fc.property(
          policyArb,
          bucketsArb,
          fc.integer({ min: BASE - 30, max: BASE + 100 }),
          fc.integer({ min: 0, max: 90 }),
          (p, buckets, fromDay, horizon) => {
            const expiry = policy({ ...p, extendOn: [] });
            const states = buckets.map((b) => ({
              s: state("newsletter", { status: "accepted", lastActivityDay: b.lastActivityDay }),
              count: b.count,
            }));
            const expected = Array.from({ length: horizon }, (_, i) => {
              const d = fromDay + i;
              const count = states
                .filter(({ s }) => isDue(s, expiry, d) && (i === 0 || !isDue(s, expiry, d - 1)))
                .reduce((sum, { count: c }) => sum + c, 0);
              return { day: d, count };
            });
            const result = forecast(buckets, expiry, fromDay, horizon);
            expect(result).toEqual(expected);
            if (result.some((d) => d.count > 0)) {
              forecastsWithLapses++;
            }
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
      // Not vacuous: many forecasts have lapses within the horizon.
      expect(forecastsWithLapses).toBeGreaterThan(PROPERTY_RUNS / 6);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "R10: the index scan (firstPossibleDueDay, dueThroughDay) selects exactly the due states",
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3650 }),
          fc.integer({ min: BASE - 400, max: BASE + 400 }),
          fc.option(fc.integer({ min: BASE - 4000, max: BASE + 4000 }), { nil: null }),
          fc.integer({ min: BASE - 400, max: BASE + 4000 }),
          (days, activatedOn, lastActivityDay, runDay) => {
            const expiry = policy({ days, enabled: true, activatedAt: at(activatedOn, 5) });
            const s = state("newsletter", { status: "accepted", lastActivityDay });
            const first = firstPossibleDueDay(expiry);
            const byIndex =
              first !== null &&
              first <= runDay &&
              (lastActivityDay === null || lastActivityDay <= dueThroughDay(expiry, runDay));
            expect(byIndex).toBe(isDue(s, expiry, runDay));
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
