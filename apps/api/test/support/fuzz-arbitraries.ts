import { EVENT_TYPES } from "@lapse/consent";
import fc from "fast-check";
import { SCOPES } from "../../src/services/keys/material.ts";
import type { TenantIds } from "./matrix-rows.ts";

/**
 * fast-check arbitraries for every procedure's input (fuzz.test.ts): valid inputs naming a
 * tenant's data, mutations of them (wrong types, huge strings, deep nesting, extra keys,
 * unicode, boundary dates, edge numbers) and raw HTTP requests the JSON layer must refuse.
 */

/** JSON text spliced verbatim into a request: what JSON.stringify cannot write (1e400, -0). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify with RawJson spliced in; `undefined` at the top is no input at all. */
export function toJson(value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value instanceof RawJson) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => toJson(v) ?? "null").join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const fields = Object.keys(value).flatMap((key) => {
      const text = toJson((value as Record<string, unknown>)[key]);
      return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
    });
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Valid inputs

const DAY_MS = 86_400_000;
const iso = (at: number) => new Date(at).toISOString();

/** A past instant, sometimes written with an offset other than Z. */
const pastInstant = fc
  .tuple(
    fc.integer({ min: 60_000, max: 3 * 365 * DAY_MS }),
    fc.constantFrom("Z", "+02:00", "-05:30"),
  )
  .map(([ago, zone]) => {
    const at = Date.now() - ago;
    if (zone === "Z") {
      return iso(at);
    }
    const sign = zone.startsWith("-") ? -1 : 1;
    const [h, m] = zone.slice(1).split(":").map(Number);
    const shifted = at + sign * ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
    return `${iso(shifted).slice(0, 19)}${zone}`;
  });
/** More than 5 minutes ahead: well-formed, refused by the services (R5), writes nothing. */
const futureInstant = fc
  .integer({ min: 6 * 60_000, max: 50 * 365 * DAY_MS })
  .map((ahead) => iso(Date.now() + ahead));
const instant = fc.oneof(
  { arbitrary: pastInstant, weight: 4 },
  { arbitrary: futureInstant, weight: 1 },
);

const slug = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/);
const text = (maxLength: number) =>
  fc.string({ unit: "grapheme", minLength: 1, maxLength }).filter((s) => s.trim().length > 0);
const eventType = fc.constantFrom(...EVENT_TYPES);
const eventTypes = fc.uniqueArray(eventType, { maxLength: EVENT_TYPES.length });
const status = fc.constantFrom("accepted", "refused");
const expiryDays = fc.integer({ min: 1, max: 3650 });

function profileId(ids: TenantIds) {
  return fc.oneof(
    { arbitrary: fc.constant(ids.profileId), weight: 4 },
    { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }), weight: 1 },
    { arbitrary: fc.constant("x".repeat(128)), weight: 1 },
  );
}

function consentKey(ids: TenantIds & { consents: string[] }) {
  return fc.oneof({ arbitrary: fc.constantFrom(...ids.consents), weight: 4 }, slug);
}

/** A valid input for each procedure; the services may still refuse some (unknown key, R3…). */
export function validInputs(ids: TenantIds & { consents: string[] }) {
  const consent = consentKey(ids);
  const profile = profileId(ids);
  const arbitraries: Record<string, fc.Arbitrary<unknown>> = {
    "catalog.list": fc.constant(undefined),
    "profile.get": fc.record({ profileId: profile }),
    "profile.update": fc.record(
      {
        profileId: profile,
        changes: fc.uniqueArray(fc.record({ consent, status }), {
          minLength: 1,
          maxLength: 3,
          selector: (c) => c.consent,
        }),
        context: fc.record(
          { channel: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["profileId", "changes"] },
    ),
    "profile.history": fc.record(
      {
        profileId: profile,
        cursor: fc.stringMatching(/^[1-9][0-9]{0,6}$/),
        limit: fc.integer({ min: 1, max: 200 }),
      },
      { requiredKeys: ["profileId"] },
    ),
    "events.track": fc.record({
      events: fc.array(
        fc.record(
          {
            profileId: profile,
            type: eventType,
            occurredAt: instant,
            automated: fc.boolean(),
            userAgent: fc.oneof(
              fc.constant("curl/8.5.0"),
              fc.constant("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"),
              fc.string({ maxLength: 80 }),
            ),
            sentAt: instant,
          },
          { requiredKeys: ["profileId", "type", "occurredAt"] },
        ),
        { minLength: 1, maxLength: 5 },
      ),
    }),
    "admin.consents.list": fc.option(
      fc.record({ includeArchived: fc.boolean() }, { requiredKeys: [] }),
      { nil: undefined },
    ),
    "admin.consents.create": fc.record(
      {
        key: slug,
        kind: fc.constantFrom("opt_in", "legal_basis"),
        title: text(200),
        description: fc.string({ maxLength: 300 }),
        entryEvents: eventTypes,
      },
      { requiredKeys: ["key", "kind", "title"] },
    ),
    "admin.consents.update": fc.record(
      {
        key: consent,
        title: text(200),
        description: fc.string({ maxLength: 300 }),
        entryEvents: eventTypes,
      },
      { requiredKeys: ["key"] },
    ),
    "admin.consents.archive": fc.record({ key: consent }),
    "admin.expiry.configure": fc.record(
      { consent, days: expiryDays, extendOn: eventTypes },
      { requiredKeys: ["consent"] },
    ),
    "admin.expiry.activate": fc.record({ consent }),
    "admin.expiry.deactivate": fc.record({ consent }),
    "admin.expiry.reconfigure": fc.record(
      { consent, days: expiryDays, extendOn: eventTypes },
      { requiredKeys: ["consent", "extendOn"] },
    ),
    "admin.expiry.forecast": fc.record(
      { consent, horizonDays: fc.integer({ min: 1, max: 366 }) },
      { requiredKeys: ["consent"] },
    ),
    "admin.expiry.upcoming": fc.record(
      {
        consent,
        withinDays: fc.integer({ min: 1, max: 366 }),
        limit: fc.integer({ min: 1, max: 500 }),
        cursor: fc.oneof(fc.constant("W251bGxd"), fc.string({ maxLength: 40 })),
      },
      { requiredKeys: ["consent", "withinDays"] },
    ),
    "admin.expiry.preview": fc.record(
      {
        consent,
        days: expiryDays,
        extendOn: eventTypes,
        horizonDays: fc.integer({ min: 1, max: 366 }),
      },
      { requiredKeys: ["consent", "days", "extendOn"] },
    ),
    "admin.runs.list": fc.option(
      fc.record({ limit: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] }),
      { nil: undefined },
    ),
    "admin.runs.get": fc.record({
      id: fc.oneof(fc.constant(ids.runId), fc.stringMatching(/^run_[0-9a-z]{20}$/)),
    }),
    "admin.runs.health": fc.constant(undefined),
    "admin.settings.get": fc.constant(undefined),
    "admin.settings.update": fc.record({ minSecondsAfterSend: fc.integer({ min: 0, max: 3600 }) }),
    "admin.runs.trigger": fc.option(fc.record({ asOf: pastInstant }, { requiredKeys: [] }), {
      nil: undefined,
    }),
    "admin.changes.list": fc.option(
      fc.record(
        {
          cursor: fc.stringMatching(/^(0|[1-9][0-9]{0,6})$/),
          limit: fc.integer({ min: 1, max: 1000 }),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
    "admin.profiles.import": fc.record({
      items: fc.uniqueArray(
        fc.record(
          { profileId: profile, consent, status, changedAt: instant, lastActivityAt: pastInstant },
          { requiredKeys: ["profileId", "consent", "status", "changedAt"] },
        ),
        {
          minLength: 1,
          maxLength: 5,
          selector: (item) => `${item.profileId}\u0000${item.consent}`,
        },
      ),
    }),
    "admin.profiles.erase": fc.record(
      { profileId: profile, reason: text(200) },
      { requiredKeys: ["profileId"] },
    ),
    "admin.profiles.verify": fc.record({ profileId: profile }),
    "admin.profiles.proof": fc.record({ profileId: profile }),
    "admin.proof.checkpoint": fc.constant(undefined),
    "admin.proof.consistency": fc.record(
      { from: fc.integer({ min: 0, max: 40 }), to: fc.integer({ min: 0, max: 40 }) },
      { requiredKeys: ["from"] },
    ),
    "admin.keys.create": fc.record(
      {
        kind: fc.constantFrom("secret", "publishable"),
        name: text(100),
        scopes: fc.uniqueArray(fc.constantFrom(...SCOPES)),
        expiresAt: fc.oneof(futureInstant, pastInstant),
      },
      { requiredKeys: ["kind", "name"] },
    ),
    "admin.keys.list": fc.constant(undefined),
    // Never the key the fuzzer calls with: only a spare key of the tenant, or ids of no key.
    "admin.keys.revoke": fc.record({
      id: fc.oneof(fc.constant(ids.keyId), fc.stringMatching(/^key_[0-9a-z]{20}$/)),
    }),
  };
  return arbitraries;
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Strings that have broken parsers, databases and logs before. */
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "\udc00\ud800",
  "x\ud83d",
  "\uFEFF",
  "\u202Eevil",
  "\u2028\u2029",
  "e\u0301",
  "🙂",
  "𝕏".repeat(64),
  "\uFFFF",
  "null",
  "undefined",
  "NaN",
  "__proto__",
  "' OR 1=1 --",
  "'); DROP TABLE consent_state; --",
  "%00",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, as text.
  "${7*7}",
  "ten_00000000000000000000",
];

/** Any code unit, lone surrogates and NUL included. */
const anyCodeUnit = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("\u0000", "\uFEFF", "\u202E", "\u0301"),
);
const unicodeString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: anyCodeUnit, maxLength: 24 }),
);

/** Up to the body limit (524,288 bytes) and just past it. */
const hugeString = fc
  .tuple(
    fc.constantFrom(129, 201, 4_001, 65_537, 300_000, 524_289),
    fc.constantFrom("x", "é", "🙂"),
  )
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Instants at and past the edges of what the ISO parser and Date accept. */
export const BOUNDARY_DATES = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00Z",
  "1969-12-31T23:59:59.999Z",
  "1970-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59.999+14:00",
  "2026-02-30T00:00:00Z",
  "2025-02-29T00:00:00Z",
  "2024-02-29T00:00:00Z",
  "2016-12-31T23:59:60Z",
  "2026-13-01T00:00:00Z",
  "2026-01-01T24:00:00Z",
  "2026-01-01",
  "2026-01-01T00:00:00",
  "2026-01-01T00:00:00+24:00",
  "2026-01-01T00:00:00-00:00",
  "2026-01-01T00:00:00.123456789Z",
  "2026-01-01 00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "20260101T000000Z",
  "1e12",
];

/** Numbers as JSON carries them: NaN and Infinity become null; 1e400 parses to Infinity. */
const edgeNumber = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  new RawJson("1e400"),
  new RawJson("-1e400"),
  new RawJson("-0"),
  new RawJson("1E2"),
  new RawJson("100.0"),
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 31,
  -(2 ** 31),
  -1,
  0,
  0.5,
  1.000000001,
  3651,
  367,
);

/** Nesting JSON.stringify would overflow on; spliced as text. */
const deepNesting = fc
  .tuple(fc.constantFrom(64, 1_000, 20_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? new RawJson(`${"[".repeat(depth)}${"]".repeat(depth)}`)
      : new RawJson(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
  );

const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** A value to put where another was expected. */
const replacement = fc.oneof(
  { arbitrary: wrongType, weight: 4 },
  { arbitrary: unicodeString, weight: 3 },
  { arbitrary: fc.constantFrom(...BOUNDARY_DATES), weight: 3 },
  { arbitrary: edgeNumber, weight: 3 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
);

/** Keys no input declares; `tenantId` above all (R12: no input names a tenant). */
const extraKey = fc.oneof(
  fc.constantFrom(
    "tenantId",
    "tenant_id",
    "__proto__",
    "constructor",
    "prototype",
    "",
    "id",
    "via",
  ),
  fc.string({ maxLength: 10 }),
);

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      pathsOf(v, [...path, i], out);
    }
  } else if (value !== null && typeof value === "object" && !(value instanceof RawJson)) {
    for (const key of Object.keys(value)) {
      pathsOf((value as Record<string, unknown>)[key], [...path, key], out);
    }
  }
  return out;
}

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
    value,
  );
}

/** A copy of `value` with `update` applied at `path`; nodes off the path are shared. */
function updateAt(value: unknown, path: Path, update: (node: unknown) => unknown): unknown {
  if (path.length === 0) {
    return update(value);
  }
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = updateAt(copy[head as number], rest, update);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  const next = updateAt(copy[head], rest, update);
  // defineProperty, so that "__proto__" becomes an own key as JSON.parse would make it.
  Object.defineProperty(copy, head, {
    value: next,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** One change to an input, applied at the `pick`-th of its paths. */
type Mutation =
  | { kind: "replace"; pick: number; value: unknown }
  | { kind: "remove"; pick: number }
  | { kind: "extra-key"; pick: number; key: string; value: unknown }
  | { kind: "resize"; pick: number; length: number }
  | { kind: "wrap"; pick: number; inArray: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      pick: fc.nat(),
      value: replacement,
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("extra-key" as const),
      pick: fc.nat(),
      key: extraKey,
      value: fc.oneof(wrongType, unicodeString),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("resize" as const),
      pick: fc.nat(),
      length: fc.constantFrom(0, 8, 101, 1_001),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("wrap" as const),
      pick: fc.nat(),
      inArray: fc.boolean(),
    }),
    weight: 1,
  },
);

function apply(value: unknown, m: Mutation): unknown {
  const paths = pathsOf(value);
  const at = <T>(list: T[]) => list[m.pick % list.length];
  switch (m.kind) {
    case "replace":
      return updateAt(value, at(paths) ?? [], () => m.value);
    case "remove": {
      const path = at(paths.filter((p) => p.length > 0));
      if (!path) {
        return undefined;
      }
      const parent = path.slice(0, -1);
      const key = path.at(-1) as string | number;
      return updateAt(value, parent, (node) => {
        if (Array.isArray(node)) {
          return node.filter((_, i) => i !== key);
        }
        const copy = { ...(node as Record<string, unknown>) };
        delete copy[key];
        return copy;
      });
    }
    case "extra-key": {
      const objects = paths.filter((p) => {
        const node = getAt(value, p);
        return node !== null && typeof node === "object" && !Array.isArray(node);
      });
      const path = at(objects);
      if (!path) {
        return { [m.key]: m.value, input: value };
      }
      return updateAt(value, path, (node) => {
        const copy = { ...(node as Record<string, unknown>) };
        Object.defineProperty(copy, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        return copy;
      });
    }
    case "resize": {
      const arrays = paths.filter((p) => Array.isArray(getAt(value, p)));
      const path = at(arrays);
      return updateAt(value, path ?? at(paths) ?? [], (node) => {
        const list = path ? (node as unknown[]) : [node];
        // Past the body limit a huge item says nothing more: 1,001 copies of half a megabyte
        // would only exhaust the test's memory. Small items keep the array's length tested.
        const itemSize = Math.max(...list.map((item) => toJson(item)?.length ?? 4), 1);
        const items = itemSize * m.length > 1_000_000 ? [0] : list;
        return Array.from({ length: m.length }, (_, i) => items[i % Math.max(items.length, 1)]);
      });
    }
    case "wrap":
      return updateAt(value, at(paths) ?? [], (node) => (m.inArray ? [node] : { value: node }));
  }
}

const MAX_INPUT_CHARS = 1_100_000;

/** A valid input with one to three mutations: mostly invalid, sometimes still valid. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([input, mutations]) =>
      mutations.reduce<unknown>((value, m) => {
        const next = apply(value, m);
        // Inputs stay within about twice the body limit (524,288 bytes): beyond, only memory.
        return (toJson(next)?.length ?? 0) > MAX_INPUT_CHARS ? value : next;
      }, input),
    );
}

// ---------------------------------------------------------------------------------------------
// Raw requests: bodies, methods and content types the JSON layer must refuse

export interface RawRequest {
  label: string;
  method: string;
  /** After `/trpc/`. */
  path: string;
  search?: string;
  contentType?: string;
  body?: string | Uint8Array;
}

const MALFORMED_BODIES = [
  "",
  "{",
  "[",
  "}",
  "NaN",
  "Infinity",
  "-Infinity",
  "undefined",
  "{'profileId':'p'}",
  '{"profileId":}',
  '{"profileId":"p",}',
  '{"profileId":"p"}x',
  "\uFEFF{}",
  "\u0000",
  "1 2",
  "nul",
  "tru",
  '"\\ud800"',
  '"\\u00"',
  '{"a":"\\x41"}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  '{"a":1,"a":2}',
  "0x10",
  "01",
  "--1",
];

const CONTENT_TYPES = [
  undefined,
  "text/plain",
  "text/plain;charset=UTF-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "multipart/form-data",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/jsonx",
  "application/json, text/plain",
  "application/xml",
  "",
];

const MALFORMED_SEARCH = [
  "?input={",
  "?input=%7B",
  "?input=%",
  "?input=%zz",
  "?input=%E0%A4%A",
  "?input=%C0%80",
  "?input=undefined",
  "?input=NaN",
  "?input=%7B%22profileId%22%3A%22p%22",
  "?input=1&input=2",
  "?batch=1",
  "?batch=1&input=%5B%5D",
  "?batch=1&input=%7B%220%22%3A1%2C%22-1%22%3A2%7D",
  "?batch=true&input=%7B%7D",
  "?batch=0",
  "?batch=1&input=null",
  "?input=%00",
];

const ODD_PATHS = [
  "nope",
  "admin",
  "admin.",
  "admin.consents",
  ".catalog.list",
  "catalog.list.",
  "catalog..list",
  "catalog.list/",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "catalog.__proto__",
  "admin.consents.constructor",
  "%00",
  "catalog%2Elist",
  "CATALOG.LIST",
  "catalog.list,catalog.list,catalog.list,catalog.list,catalog.list,catalog.list,catalog.list,catalog.list,catalog.list,catalog.list,catalog.list",
];

/** Raw requests at the procedures: malformed bodies and queries, wrong methods and types. */
export function rawRequests(
  procedures: { path: string; type: "query" | "mutation"; valid: fc.Arbitrary<unknown> }[],
): fc.Arbitrary<RawRequest> {
  const procedure = fc.constantFrom(...procedures);
  const validJson = procedure.chain((p) =>
    p.valid.map((input) => ({ p, json: toJson(input) ?? "" })),
  );
  return fc.oneof(
    validJson.chain(({ p, json }) =>
      fc.constantFrom(...CONTENT_TYPES).map<RawRequest>((contentType) => ({
        label: "a valid input with another content type",
        method: "POST",
        path: p.path,
        contentType,
        body: json,
      })),
    ),
    fc.tuple(procedure, fc.constantFrom(...MALFORMED_BODIES)).map<RawRequest>(([p, body]) => ({
      label: "a malformed JSON body",
      method: "POST",
      path: p.path,
      contentType: "application/json",
      body,
    })),
    fc.tuple(validJson, fc.nat()).map<RawRequest>(([{ p, json }, cut]) => ({
      label: "a truncated JSON body",
      method: "POST",
      path: p.path,
      contentType: "application/json",
      body: json.slice(0, json.length === 0 ? 0 : cut % json.length),
    })),
    fc
      .tuple(procedure, fc.uint8Array({ minLength: 1, maxLength: 64 }))
      .map<RawRequest>(([p, bytes]) => ({
        label: "bytes that are not UTF-8 JSON",
        method: "POST",
        path: p.path,
        contentType: "application/json",
        body: Uint8Array.from([0xff, 0xfe, ...bytes]),
      })),
    fc.tuple(procedure, fc.constantFrom(...MALFORMED_SEARCH)).map<RawRequest>(([p, search]) => ({
      label: "a malformed query string",
      method: "GET",
      path: p.path,
      search,
    })),
    validJson.chain(({ p, json }) =>
      fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE").map<RawRequest>((method) =>
        method === "GET"
          ? { label: "a GET", method, path: p.path, search: `?input=${encodeURIComponent(json)}` }
          : {
              label: `a ${method}`,
              method,
              path: p.path,
              contentType: "application/json",
              body: json,
            },
      ),
    ),
    fc.tuple(fc.constantFrom(...ODD_PATHS), fc.boolean()).map<RawRequest>(([path, post]) =>
      post
        ? {
            label: "an odd path",
            method: "POST",
            path,
            contentType: "application/json",
            body: "{}",
          }
        : { label: "an odd path", method: "GET", path },
    ),
    validJson.map<RawRequest>(({ p, json }) => ({
      label: "a batch whose input is not keyed by call",
      method: p.type === "query" ? "GET" : "POST",
      path: `${p.path},${p.path}`,
      search: p.type === "query" ? `?batch=1&input=${encodeURIComponent(json)}` : "?batch=1",
      contentType: p.type === "query" ? undefined : "application/json",
      body: p.type === "query" ? undefined : json,
    })),
  );
}
