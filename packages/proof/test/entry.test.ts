/**
 * The canonical entry encoding. The byte vectors below were written down field by field from the
 * format (and their hashes computed with Python's hashlib, not with this package); README.md
 * lists the same vectors so that a verifier in another language can be checked against them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeEntry,
  ENTRY_KIND_BY_CODE,
  ENTRY_KIND_CODES,
  type Entry,
  encodeEntry,
  entryLeafHash,
  generateProfileSalt,
  PROFILE_SALT_SIZE,
  profileCommitment,
  REASON_BY_CODE,
  REASON_CODES,
  STATUS_BY_CODE,
  STATUS_CODES,
} from "../src/index.ts";
import { hex, PROPERTY_RUNS, toHex } from "./fixtures.ts";

/** The 32-byte salt 00 01 02 … 1f of the binding vector. */
const SALT = Uint8Array.from({ length: 32 }, (_, i) => i);
const COMMITMENT = "a94076149a6ac56b9d727aad970fc283561f32e61b6653a690be40d7ba04f89d";

const VECTORS: { name: string; entry: Entry; bytes: string[]; leafHash: string }[] = [
  {
    name: "status change: newsletter accepted by a customer",
    entry: {
      kind: "status_change",
      profile: 42,
      consent: "newsletter",
      consentVersion: 3,
      from: "unknown",
      to: "accepted",
      reason: "customer",
      actor: "key_ab12",
      occurredAt: 1_767_225_600_000, // 2026-01-01T00:00:00.000Z
      recordedAt: 1_767_225_600_123,
    },
    bytes: [
      "01", // version
      "01", // kind: status change
      "000000000000002a", // profile 42
      "000a", // consent: 10 bytes
      "6e6577736c6574746572", // "newsletter"
      "00000003", // consentVersion 3
      "00", // from unknown
      "01", // to accepted
      "01", // reason customer
      "0008", // actor: 8 bytes
      "6b65795f61623132", // "key_ab12"
      "0000019b76daa800", // occurredAt 1767225600000
      "0000019b76daa87b", // recordedAt 1767225600123
    ],
    leafHash: "7c994f607582c2a0f201b8c6146ff1378a98b913e49c7255a425dd52e13dc236",
  },
  {
    name: "status change: terms expired by cron, with a negative and a zero instant",
    entry: {
      kind: "status_change",
      profile: 7,
      consent: "terms",
      consentVersion: 1,
      from: "accepted",
      to: "unknown",
      reason: "expired",
      actor: "cron",
      occurredAt: -1,
      recordedAt: 0,
    },
    bytes: [
      "01",
      "01",
      "0000000000000007", // profile 7
      "0005",
      "7465726d73", // "terms"
      "00000001", // consentVersion 1
      "01", // from accepted
      "00", // to unknown
      "04", // reason expired
      "0004",
      "63726f6e", // "cron"
      "ffffffffffffffff", // occurredAt -1 (two's complement)
      "0000000000000000", // recordedAt 0
    ],
    leafHash: "c24cf00e3b3cda8f864b545a2728d1b0f8964aa0b4752e29919c75e1b4515538",
  },
  {
    name: "profile binding",
    entry: {
      kind: "profile_binding",
      profile: 42,
      commitment: hex(COMMITMENT),
      recordedAt: 1_767_225_600_000,
    },
    bytes: [
      "01",
      "02", // kind: profile binding
      "000000000000002a", // profile 42
      COMMITMENT, // profileCommitment(00 01 … 1f, "customer-123")
      "0000019b76daa800", // recordedAt 1767225600000
    ],
    leafHash: "ddd3b0d3bddab3e8589aefe87d3d61abbb0e27a48f1a765b37322b5cb81a288c",
  },
  {
    name: "erasure, with a non-ASCII reason (its length counts UTF-8 bytes)",
    entry: { kind: "erasure", profile: 42, reason: "Löschung", recordedAt: 1_767_312_000_000 },
    bytes: [
      "01",
      "03", // kind: erasure
      "000000000000002a", // profile 42
      "0009", // reason: 9 bytes (ö is 2)
      "4cc3b6736368756e67", // "Löschung"
      "0000019b7c010400", // recordedAt 1767312000000 (2026-01-02)
    ],
    leafHash: "6b679133e8f4b2fdcfdbfd3255daed1f38f9e5de1f260fb6d4cd4276116b5aae",
  },
];

const statusChange: Entry = VECTORS[0]?.entry as Entry;

describe("byte-exact vectors", () => {
  it.each(VECTORS)("$name", ({ entry, bytes, leafHash }) => {
    const encoded = encodeEntry(entry);
    expect(toHex(encoded)).toBe(bytes.join(""));
    expect(toHex(entryLeafHash(entry))).toBe(leafHash);
    expect(decodeEntry(encoded)).toEqual({ ok: true, entry });
  });

  it("computes the binding vector's commitment", () => {
    expect(toHex(profileCommitment(SALT, "customer-123"))).toBe(COMMITMENT);
    expect(toHex(profileCommitment(SALT, "Ünïcödé"))).toBe(
      "4d811dc78c00555ed5e778a4db6481bde77a90fcbc353d2a7fa21db4a726de86",
    );
  });
});

describe("code tables", () => {
  it("hold the documented codes, both ways", () => {
    expect(STATUS_CODES).toEqual({ unknown: 0, accepted: 1, refused: 2 });
    expect(REASON_CODES).toEqual({
      customer: 1,
      api: 2,
      entry_event: 3,
      expired: 4,
      import: 5,
      erased: 6,
    });
    expect(ENTRY_KIND_CODES).toEqual({ status_change: 1, profile_binding: 2, erasure: 3 });
    for (const [forward, backward] of [
      [STATUS_CODES, STATUS_BY_CODE],
      [REASON_CODES, REASON_BY_CODE],
      [ENTRY_KIND_CODES, ENTRY_KIND_BY_CODE],
    ] as const) {
      const inverted = Object.fromEntries(Object.entries(forward).map(([k, v]) => [String(v), k]));
      expect(backward).toEqual(inverted);
    }
  });
});

describe("round trips (property)", () => {
  const text = fc.string({ unit: "binary", maxLength: 40 });
  const instant = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  const entry: fc.Arbitrary<Entry> = fc.oneof(
    fc.record({
      kind: fc.constant("status_change" as const),
      profile: fc.maxSafeNat(),
      consent: text,
      consentVersion: fc.integer({ min: 0, max: 0xffff_ffff }),
      from: fc.constantFrom(...(Object.keys(STATUS_CODES) as (keyof typeof STATUS_CODES)[])),
      to: fc.constantFrom(...(Object.keys(STATUS_CODES) as (keyof typeof STATUS_CODES)[])),
      reason: fc.constantFrom(...(Object.keys(REASON_CODES) as (keyof typeof REASON_CODES)[])),
      actor: text,
      occurredAt: instant,
      recordedAt: instant,
    }),
    fc.record({
      kind: fc.constant("profile_binding" as const),
      profile: fc.maxSafeNat(),
      commitment: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      recordedAt: instant,
    }),
    fc.record({
      kind: fc.constant("erasure" as const),
      profile: fc.maxSafeNat(),
      reason: text,
      recordedAt: instant,
    }),
  );

  it("decodes what it encodes, and nothing else decodes to the same entry", () => {
    fc.assert(
      fc.property(entry, (e) => {
        const bytes = encodeEntry(e);
        expect(decodeEntry(bytes)).toEqual({ ok: true, entry: e });
        // Strict: every proper prefix, and any extra byte, is refused.
        expect(decodeEntry(bytes.subarray(0, bytes.length - 1)).ok).toBe(false);
        expect(decodeEntry(Uint8Array.of(...bytes, 0)).ok).toBe(false);
      }),
      { numRuns: PROPERTY_RUNS * 2 },
    );
  });

  it("never throws on arbitrary bytes, and what decodes re-encodes to the same bytes", () => {
    const header = fc.constantFrom(Uint8Array.of(1, 1), Uint8Array.of(1, 2), Uint8Array.of(1, 3));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 80 }), (head, tail) => {
        const bytes = Uint8Array.of(...head, ...tail);
        const decoded = decodeEntry(bytes);
        if (decoded.ok) {
          expect(toHex(encodeEntry(decoded.entry))).toBe(toHex(bytes));
        } else {
          expect(decoded.error).toBe("MALFORMED_ENTRY");
        }
      }),
      { numRuns: PROPERTY_RUNS * 5 },
    );
  });
});

describe("decodeEntry refuses", () => {
  const valid = VECTORS[0]?.bytes.join("") ?? "";
  /** The first vector with the hex at byte `at` replaced. */
  const patched = (at: number, replacement: string) =>
    hex(valid.slice(0, at * 2) + replacement + valid.slice(at * 2 + replacement.length));

  it.each([
    ["no bytes", new Uint8Array(0)],
    ["version 0", patched(0, "00")],
    ["version 2", patched(0, "02")],
    ["kind 0", patched(1, "00")],
    ["kind 4", patched(1, "04")],
    ["from status 3", patched(26, "03")],
    ["to status 255", patched(27, "ff")],
    ["reason 0", patched(28, "00")],
    ["reason 7", patched(28, "07")],
    ["a string longer than what is left", patched(10, "00ff")],
    ["a trailing byte", hex(`${valid}00`)],
    ["a missing last byte", hex(valid.slice(0, -2))],
    ["a profile above 2^53 − 1", patched(2, "0020000000000000")],
    ["an instant above 2^53 − 1", patched(39, "0020000000000000")],
    ["an instant below −(2^53 − 1)", patched(39, "ffe0000000000000")],
    ["invalid UTF-8 (a lone continuation byte)", patched(12, "80")],
    ["UTF-8 of a surrogate (ed a0 80)", patched(12, "eda080")],
    ["an overlong UTF-8 form (c0 ae)", patched(12, "c0ae")],
  ])("%s", (_, bytes) => {
    const decoded = decodeEntry(bytes);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toBe("MALFORMED_ENTRY");
  });

  it("says what is wrong", () => {
    const message = (bytes: Uint8Array) => {
      const decoded = decodeEntry(bytes);
      return decoded.ok ? "" : decoded.message;
    };
    expect(message(patched(0, "02"))).toBe("unknown entry version 2");
    expect(message(patched(28, "07"))).toBe("unknown reason code 7");
    expect(message(patched(26, "03"))).toBe("unknown from code 3");
    expect(message(hex(`${valid}0000`))).toBe("2 bytes after the entry");
    expect(message(hex(valid.slice(0, 20)))).toBe("the entry ends inside consent");
  });

  it("keeps a leading byte-order mark as text", () => {
    const entry: Entry = { kind: "erasure", profile: 1, reason: "\ufeffx", recordedAt: 0 };
    expect(decodeEntry(encodeEntry(entry))).toEqual({ ok: true, entry });
  });

  it("refuses what is not bytes", () => {
    expect(decodeEntry("0101" as unknown as Uint8Array).ok).toBe(false);
  });
});

describe("encodeEntry refuses what the encoding cannot hold", () => {
  it.each([
    ["a negative profile", { profile: -1 }],
    ["a fractional profile", { profile: 1.5 }],
    ["a profile past 2^53 − 1", { profile: 2 ** 53 }],
    ["a consent version past u32", { consentVersion: 2 ** 32 }],
    ["a negative consent version", { consentVersion: -1 }],
    ["an unknown status", { to: "maybe" }],
    ["an unknown reason", { reason: "whim" }],
    ["a lone surrogate", { actor: "key_\ud800" }],
    ["a string of 65,536 UTF-8 bytes", { consent: "é".repeat(32_768) }],
    ["an instant past 2^53 − 1", { occurredAt: 2 ** 53 }],
    ["a fractional instant", { recordedAt: 0.5 }],
    ["a string that is not a string", { actor: 12 }],
  ])("%s", (_, change) => {
    const entry = { ...statusChange, ...change } as Entry;
    expect(() => encodeEntry(entry)).toThrow();
  });

  it("holds a string of exactly 65,535 UTF-8 bytes", () => {
    const entry = { ...statusChange, consent: "a".repeat(65_535) } as Entry;
    expect(decodeEntry(encodeEntry(entry))).toEqual({ ok: true, entry });
  });

  it("refuses a commitment that is not 32 bytes and an unknown kind", () => {
    const binding = VECTORS[2]?.entry as Entry;
    expect(() => encodeEntry({ ...binding, commitment: new Uint8Array(31) } as Entry)).toThrow(
      TypeError,
    );
    expect(() => encodeEntry({ ...binding, kind: "other" } as unknown as Entry)).toThrow(TypeError);
  });
});

describe("profileCommitment", () => {
  it("needs a 32-byte salt and well-formed text", () => {
    expect(() => profileCommitment(new Uint8Array(16), "x")).toThrow(RangeError);
    expect(() => profileCommitment(new Uint8Array(33), "x")).toThrow(RangeError);
    expect(() => profileCommitment(SALT, "\udc00")).toThrow(TypeError);
    expect(generateProfileSalt()).toHaveLength(PROFILE_SALT_SIZE);
    expect(toHex(generateProfileSalt())).not.toBe(toHex(generateProfileSalt()));
  });

  it("differs per salt and per id, and a salt never opens it to another id (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        (salt, a, b) => {
          fc.pre(a !== b);
          expect(toHex(profileCommitment(salt, a))).not.toBe(toHex(profileCommitment(salt, b)));
          const otherSalt = salt.slice();
          otherSalt[0] = (otherSalt[0] ?? 0) ^ 1;
          expect(toHex(profileCommitment(otherSalt, a))).not.toBe(
            toHex(profileCommitment(salt, a)),
          );
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
  });
});
