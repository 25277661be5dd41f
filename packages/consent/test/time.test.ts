import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayOf, formatDay, formatDayFrom, maxDay, parseDay, startOfDay } from "../src/index.ts";
import { DAY_MS, day, PROPERTY_RUNS } from "./fixtures.ts";

describe("R1: a day is a UTC calendar day", () => {
  it.each([
    { name: "the epoch", instant: "1970-01-01T00:00:00.000Z", expected: "1970-01-01" },
    {
      name: "midnight UTC starts the day",
      instant: "2026-03-01T00:00:00.000Z",
      expected: "2026-03-01",
    },
    {
      name: "the last millisecond ends it",
      instant: "2026-02-28T23:59:59.999Z",
      expected: "2026-02-28",
    },
    {
      name: "01:00 in Paris is still the UTC day before",
      instant: "2026-03-01T01:00:00+02:00",
      expected: "2026-02-28",
    },
    {
      name: "22:00 in New York is already the next UTC day",
      instant: "2026-02-28T22:00:00-05:00",
      expected: "2026-03-01",
    },
    {
      name: "before the epoch rounds down",
      instant: "1969-12-31T23:59:59.999Z",
      expected: "1969-12-31",
    },
    { name: "a leap day", instant: "2028-02-29T12:00:00Z", expected: "2028-02-29" },
  ])("R1: dayOf — $name", ({ instant, expected }) => {
    expect(dayOf(Date.parse(instant))).toBe(day(expected));
    expect(formatDay(dayOf(Date.parse(instant)))).toBe(expected);
  });

  it.each([
    { day: 0, text: "1970-01-01" },
    { day: -1, text: "1969-12-31" },
    { day: day("2026-11-29"), text: "2026-11-29" },
    { day: day("2000-02-29"), text: "2000-02-29" },
    { day: day("9999-12-31"), text: "9999-12-31" },
  ])("R1: formatDay($day) is $text", ({ day: d, text }) => {
    expect(formatDay(d)).toBe(text);
  });

  it.each([
    "1970-01-01",
    "2026-01-31",
    "2026-02-28",
    "2028-02-29",
    "2000-02-29",
    "2026-04-30",
    "2026-12-31",
    "1000-06-15",
  ])("R1: parseDay reads the calendar day %s", (text) => {
    expect(parseDay(text)).toBe(day(text));
  });

  it.each([
    { name: "February 30th", text: "2026-02-30" },
    { name: "February 29th of a common year", text: "2026-02-29" },
    { name: "February 29th of 1900 (not a leap year)", text: "1900-02-29" },
    { name: "April 31st", text: "2026-04-31" },
    { name: "month 13", text: "2026-13-01" },
    { name: "month 00", text: "2026-00-10" },
    { name: "day 00", text: "2026-01-00" },
    { name: "day 32", text: "2026-01-32" },
    { name: "no zero padding", text: "2026-1-5" },
    { name: "a two-digit year", text: "26-01-05" },
    { name: "a datetime", text: "2026-01-05T00:00:00Z" },
    { name: "slashes", text: "2026/01/05" },
    { name: "surrounding space", text: " 2026-01-05" },
    { name: "trailing newline", text: "2026-01-05\n" },
    { name: "empty text", text: "" },
  ])("R1: parseDay rejects $name", ({ text }) => {
    expect(parseDay(text)).toBeUndefined();
  });

  it("R1: startOfDay is the first instant of the day, the instant before is the day before", () => {
    const d = day("2026-03-29");
    expect(startOfDay(d)).toBe(Date.parse("2026-03-29T00:00:00Z"));
    expect(dayOf(startOfDay(d))).toBe(d);
    expect(dayOf(startOfDay(d) - 1)).toBe(d - 1);
    expect(dayOf(startOfDay(d) + DAY_MS - 1)).toBe(d);
  });

  it.each([
    { a: null, b: null, expected: null },
    { a: 5, b: null, expected: 5 },
    { a: null, b: 5, expected: 5 },
    { a: 4, b: 9, expected: 9 },
    { a: 9, b: 4, expected: 9 },
    { a: -3, b: -7, expected: -3 },
  ])("R1: maxDay($a, $b) is $expected (null means none)", ({ a, b, expected }) => {
    expect(maxDay(a, b)).toBe(expected);
  });

  it("R1: formatDay and parseDay round-trip every day of years 1000–9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: day("1000-01-01"), max: day("9999-12-31") }), (d) => {
        const text = formatDay(d);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(parseDay(text)).toBe(d);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it("R1: every instant of a day maps to that day and only that day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: day("1900-01-01"), max: day("2200-12-31") }),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        (d, ms) => {
          expect(dayOf(startOfDay(d) + ms)).toBe(d);
          expect(new Date(startOfDay(d) + ms).toISOString().slice(0, 10)).toBe(formatDay(d));
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
  });
});

describe("R1: days counted from an instant are UTC days", () => {
  it.each([
    { at: "2026-02-28T23:59:59.999Z", offset: 1, expected: "2026-03-01" },
    { at: "2026-03-01T00:00:00.000Z", offset: -1, expected: "2026-02-28" },
    { at: "2026-03-01T01:00:00+02:00", offset: 0, expected: "2026-02-28" },
    { at: "2028-02-28T12:00:00Z", offset: 1, expected: "2028-02-29" },
    { at: "2026-12-31T23:00:00Z", offset: 366, expected: "2028-01-01" },
  ])("$offset day(s) from $at is $expected", ({ at, offset, expected }) => {
    expect(formatDayFrom(Date.parse(at), offset)).toBe(expected);
  });
});
