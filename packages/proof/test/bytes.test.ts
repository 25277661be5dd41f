/**
 * Byte helpers: base64 against the RFC 4648 §10 test vectors and the platform's btoa/atob, with
 * the strictness the formats rely on (one text per byte string); hex; concatenation; equality.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bytesEqual,
  concatBytes,
  decodeBase64,
  decodeHex,
  encodeBase64,
  encodeHex,
} from "../src/index.ts";
import { PROPERTY_RUNS } from "./fixtures.ts";

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe("base64", () => {
  it.each([
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ])("RFC 4648 §10: %j is %j", (plain, encoded) => {
    expect(encodeBase64(ascii(plain))).toBe(encoded);
    expect(decodeBase64(encoded)).toEqual(ascii(plain));
  });

  it("agrees with btoa and atob on any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(btoa(String.fromCharCode(...bytes)));
        expect(decodeBase64(text)).toEqual(bytes);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it.each([
    ["missing padding", "Zg"],
    ["missing one padding character", "Zg="],
    ["padding inside", "Zg==Zg=="],
    ["too much padding", "Z==="],
    ["only padding", "===="],
    ["a URL-safe character", "_-8="],
    ["whitespace", "Zm9v Zm9v"],
    ["a newline", "Zm9v\n"],
    ["non-ASCII", "Zm9é"],
    ["non-zero unused bits before ==", "Zh=="],
    ["non-zero unused bits before =", "Zm9="],
  ])("refuses %s", (_, text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});

describe("hex", () => {
  it("encodes lowercase and decodes either case", () => {
    expect(encodeHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe("0001abff");
    expect(decodeHex("0001ABff")).toEqual(Uint8Array.of(0, 1, 0xab, 0xff));
    expect(decodeHex("")).toEqual(new Uint8Array(0));
  });

  it.each(["0", "0g", "0x00", " 00", "-1"])("refuses %j", (text) => {
    expect(decodeHex(text)).toBeUndefined();
  });

  it("round-trips (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(decodeHex(encodeHex(bytes))).toEqual(bytes);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });
});

describe("concatBytes and bytesEqual", () => {
  it("concatenates into a fresh array", () => {
    const a = Uint8Array.of(1, 2);
    const joined = concatBytes(a, new Uint8Array(0), Uint8Array.of(3));
    expect(joined).toEqual(Uint8Array.of(1, 2, 3));
    joined[0] = 9;
    expect(a[0]).toBe(1);
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });

  it("compares content and length, including views into larger buffers", () => {
    const big = Uint8Array.of(0, 1, 2, 3);
    expect(bytesEqual(big.subarray(1, 3), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
