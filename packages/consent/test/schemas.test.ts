import { describe, expect, it } from "vitest";
import {
  Consent,
  ConsentEvent,
  ConsentKey,
  ConsentState,
  ConsentStatus,
  DayText,
  EVENT_TYPES,
  EventType,
  EventTypeSet,
  EXPIRY_DAYS_MAX,
  EXPIRY_DAYS_MIN,
  ExpiryDays,
  ExpiryPolicy,
  HistoryEntry,
  HistoryReason,
  InstantText,
  ProfileId,
  StatusRequest,
} from "../src/index.ts";
import { acceptedState, day, legalBasis, optIn, policy } from "./fixtures.ts";

describe("profile ids (opaque, 1–128 chars)", () => {
  it.each([
    { name: "one char", id: "a", ok: true },
    { name: "128 chars", id: "x".repeat(128), ok: true },
    { name: "an opaque id with symbols", id: "shopify:gid://Customer/42", ok: true },
    { name: "empty", id: "", ok: false },
    { name: "129 chars", id: "x".repeat(129), ok: false },
  ])("ProfileId: $name is accepted=$ok", ({ id, ok }) => {
    expect(ProfileId.safeParse(id).success).toBe(ok);
  });

  it("ProfileId: a number is not an id", () => {
    expect(ProfileId.safeParse(42).success).toBe(false);
  });
});

describe("consent keys are slugs", () => {
  it.each(["newsletter", "order", "sms-fr", "order_2026", "0day", "a", "k".repeat(64)])(
    "ConsentKey accepts %s",
    (key) => {
      expect(ConsentKey.parse(key)).toBe(key);
    },
  );

  it.each([
    { name: "uppercase", key: "Newsletter" },
    { name: "a leading dash", key: "-news" },
    { name: "a leading underscore", key: "_news" },
    { name: "a space", key: "news letter" },
    { name: "an accent", key: "fidélité" },
    { name: "a dot", key: "news.letter" },
    { name: "empty", key: "" },
    { name: "65 chars", key: "k".repeat(65) },
  ])("ConsentKey rejects $name", ({ key }) => {
    const result = ConsentKey.safeParse(key);
    expect(result.success).toBe(false);
  });

  it("ConsentKey explains the slug format", () => {
    const result = ConsentKey.safeParse("Bad Key");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/slug/);
  });
});

describe("expiry days (1–3650)", () => {
  it("the bounds are 1 and 3650", () => {
    expect([EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX]).toEqual([1, 3650]);
  });

  it.each([
    { days: 1, ok: true },
    { days: 395, ok: true },
    { days: 3650, ok: true },
    { days: 0, ok: false },
    { days: -30, ok: false },
    { days: 3651, ok: false },
    { days: 1.5, ok: false },
    { days: Number.NaN, ok: false },
  ])("ExpiryDays: $days is accepted=$ok", ({ days, ok }) => {
    expect(ExpiryDays.safeParse(days).success).toBe(ok);
    expect(ExpiryPolicy.safeParse(policy({ days })).success).toBe(ok);
  });
});

describe("statuses, requests, reasons and event types", () => {
  it("R1: the statuses are exactly accepted, refused and unknown", () => {
    expect(ConsentStatus.options).toEqual(["accepted", "refused", "unknown"]);
  });

  it("R2: a request may ask for accepted or refused, never unknown (reached only by expiry)", () => {
    expect(StatusRequest.safeParse({ consent: "newsletter", status: "accepted" }).success).toBe(
      true,
    );
    expect(StatusRequest.safeParse({ consent: "newsletter", status: "refused" }).success).toBe(
      true,
    );
    expect(StatusRequest.safeParse({ consent: "newsletter", status: "unknown" }).success).toBe(
      false,
    );
  });

  it("R11: the history reasons are exactly customer, api, entry_event, expired, import", () => {
    expect(HistoryReason.options).toEqual(["customer", "api", "entry_event", "expired", "import"]);
  });

  it("there are exactly the seven event types of the seed, in its order", () => {
    expect(EVENT_TYPES).toEqual([
      "marketing_operation_joined",
      "email_clicked",
      "sms_clicked",
      "order_placed",
      "loyalty_page_visited",
      "consent_accepted",
      "account_upserted",
    ]);
    expect(EventType.safeParse("page_viewed").success).toBe(false);
  });

  it("EventTypeSet folds duplicates and puts the types in the seed's order", () => {
    expect(EventTypeSet.parse(["order_placed", "email_clicked", "order_placed"])).toEqual([
      "email_clicked",
      "order_placed",
    ]);
    expect(EventTypeSet.safeParse(["order_placed", "page_viewed"]).success).toBe(false);
  });
});

describe("strict objects reject unknown keys", () => {
  const valid = {
    Consent: optIn({ expiry: policy() }),
    ExpiryPolicy: policy(),
    ConsentState: acceptedState("newsletter", day("2026-03-01")),
    ConsentEvent: { profileId: "cust_1", type: "order_placed", occurredAt: 1 },
    HistoryEntry: {
      profileId: "cust_1",
      consent: "newsletter",
      consentVersion: 1,
      from: "unknown",
      to: "accepted",
      reason: "api",
      actor: "key_1",
      occurredAt: 1,
      recordedAt: 2,
    },
    StatusRequest: { consent: "newsletter", status: "accepted" },
  };
  const schemas = {
    Consent,
    ExpiryPolicy,
    ConsentState,
    ConsentEvent,
    HistoryEntry,
    StatusRequest,
  };
  it.each(Object.keys(schemas) as (keyof typeof schemas)[])(
    "%s parses a valid value and rejects the same value with an extra key",
    (name) => {
      const schema = schemas[name];
      expect(schema.safeParse(valid[name]).success).toBe(true);
      const result = schema.safeParse({ ...valid[name], tenantId: "ten_other" });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.code).toBe("unrecognized_keys");
    },
  );

  it("a consent with an unknown kind or an unknown entry event is rejected", () => {
    expect(Consent.safeParse(legalBasis({ kind: "contract" as never })).success).toBe(false);
    expect(Consent.safeParse(legalBasis({ entryEvents: ["page_viewed" as never] })).success).toBe(
      false,
    );
  });
});

describe("DayText: a YYYY-MM-DD calendar day", () => {
  it.each(["2026-01-01", "2028-02-29", "1970-01-01"])("R1: reads %s as its epoch day", (text) => {
    expect(DayText.parse(text)).toBe(day(text));
  });

  it.each(["2026-02-30", "2026-02-29", "2026-13-01", "2026-1-1", "2026-01-01T00:00:00Z", ""])(
    "R1: rejects %s with a message that says the format",
    (text) => {
      const result = DayText.safeParse(text);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe("a calendar day as YYYY-MM-DD");
    },
  );
});

describe("InstantText: an ISO 8601 instant with an explicit offset", () => {
  it.each([
    { text: "2026-03-01T09:30:00Z", expected: Date.UTC(2026, 2, 1, 9, 30) },
    { text: "2026-03-01T09:30:00.250Z", expected: Date.UTC(2026, 2, 1, 9, 30, 0, 250) },
    { text: "2026-03-01T11:30:00+02:00", expected: Date.UTC(2026, 2, 1, 9, 30) },
    { text: "2026-03-01T04:30:00-05:00", expected: Date.UTC(2026, 2, 1, 9, 30) },
    { text: "2028-02-29T00:00:00Z", expected: Date.UTC(2028, 1, 29) },
  ])("R1: reads $text as epoch milliseconds", ({ text, expected }) => {
    expect(InstantText.parse(text)).toBe(expected);
  });

  it.each([
    { name: "no offset (local time is ambiguous)", text: "2026-03-01T09:30:00" },
    { name: "a day alone", text: "2026-03-01" },
    { name: "February 30th", text: "2026-02-30T09:30:00Z" },
    { name: "hour 24", text: "2026-03-01T24:00:00Z" },
    { name: "a space instead of T", text: "2026-03-01 09:30:00Z" },
    { name: "epoch milliseconds as text", text: "1772357400000" },
  ])("R1: rejects $name", ({ text }) => {
    expect(InstantText.safeParse(text).success).toBe(false);
  });

  it("R1: every instant it accepts is a finite number", () => {
    for (const text of ["2026-03-01T09:30:00Z", "2026-03-01T09:30:00.123456789+01:00"]) {
      const result = InstantText.safeParse(text);
      expect(result.success).toBe(true);
      expect(Number.isFinite(result.data)).toBe(true);
    }
  });
});
