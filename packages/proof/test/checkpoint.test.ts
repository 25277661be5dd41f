/**
 * C2SP tlog-checkpoint bodies: format/parse round trips and strict refusals. Vectors: the example
 * of c2sp.org/tlog-checkpoint (C2SP/C2SP tlog-checkpoint.md) and the tree note of
 * golang.org/x/mod sumdb/tlog/note_test.go (TestFormatTree, TestParseTree), which has the same
 * three lines.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatCheckpoint,
  generateSignerKey,
  leafHash,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  signNote,
} from "../src/index.ts";
import { b64, PROPERTY_RUNS } from "./fixtures.ts";

const GO_TREE =
  "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
const C2SP_BODY =
  "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const ROOT = b64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");

describe("formatCheckpoint", () => {
  it("writes the Go tree note (root = RFC 6962 leaf hash of 'hello world')", () => {
    const root = leafHash(new TextEncoder().encode("hello world"));
    expect(formatCheckpoint({ origin: "go.sum database tree", size: 123_456_789_012, root })).toBe(
      GO_TREE,
    );
  });

  it("writes the C2SP example body, and extension lines after the root", () => {
    const checkpoint = { origin: "example.com/behind-the-sofa", size: 20_852_163, root: ROOT };
    expect(formatCheckpoint(checkpoint)).toBe(C2SP_BODY);
    expect(formatCheckpoint({ ...checkpoint, extensions: ["ext one", "ext two"] })).toBe(
      `${C2SP_BODY}ext one\next two\n`,
    );
    expect(formatCheckpoint({ ...checkpoint, size: 0 })).toContain("\n0\n");
  });

  it.each([
    ["an empty origin", { origin: "" }],
    ["an origin with a newline", { origin: "a\nb" }],
    ["a negative size", { size: -1 }],
    ["a fractional size", { size: 1.5 }],
    ["a size past 2^53", { size: 2 ** 53 }],
    ["a 31-byte root", { root: new Uint8Array(31) }],
    ["an empty extension", { extensions: [""] }],
    ["an extension with a newline", { extensions: ["a\nb"] }],
  ])("refuses %s", (_, change) => {
    const checkpoint = { origin: "example.com/log", size: 1, root: ROOT, ...change };
    expect(() => formatCheckpoint(checkpoint)).toThrow(TypeError);
  });
});

describe("parseCheckpoint", () => {
  it("reads the C2SP example and the Go tree note", () => {
    expect(parseCheckpoint(C2SP_BODY)).toEqual({
      ok: true,
      checkpoint: { origin: "example.com/behind-the-sofa", size: 20_852_163, root: ROOT },
    });
    const go = parseCheckpoint(GO_TREE);
    expect(go.ok && go.checkpoint.size).toBe(123_456_789_012);
    const withExtensions = parseCheckpoint(`${C2SP_BODY}JOE\nJOE\n`);
    expect(withExtensions.ok && withExtensions.checkpoint.extensions).toEqual(["JOE", "JOE"]);
  });

  it.each([
    ["no final newline", C2SP_BODY.slice(0, -1)],
    ["two lines", "example.com/log\n1\n"],
    ["an empty origin", `\n1\n${btoa("x".repeat(32))}\n`],
    ["a leading zero", C2SP_BODY.replace("20852163", "020852163")],
    ["00 for the empty tree", C2SP_BODY.replace("20852163", "00")],
    ["a hex size (Go's bad tree)", C2SP_BODY.replace("20852163", "0xabcdef")],
    ["a signed size", C2SP_BODY.replace("20852163", "+20852163")],
    ["a negative size", C2SP_BODY.replace("20852163", "-1")],
    ["an exponent", C2SP_BODY.replace("20852163", "2e7")],
    ["a space in the size", C2SP_BODY.replace("20852163", " 20852163")],
    ["a carriage return", C2SP_BODY.replace("20852163\n", "20852163\r\n")],
    ["a size past 2^53 − 1", C2SP_BODY.replace("20852163", "9007199254740992")],
    [
      "a root too long (Go's bad tree)",
      "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
    ],
    ["a 31-byte root", C2SP_BODY.replace(btoa(String.fromCharCode(...ROOT)), btoa("x".repeat(31)))],
    ["an unpadded root", C2SP_BODY.replace("q2I=", "q2I")],
    ["a URL-safe root", C2SP_BODY.replace("om/X", "om_X")],
    ["an empty extension line", `${C2SP_BODY}\n`],
    ["an empty line in the extensions", `${C2SP_BODY}a\n\nb\n`],
    ["a control character in the origin", C2SP_BODY.replace("example", "ex\u0001ample")],
  ])("refuses %s", (_, text) => {
    const parsed = parseCheckpoint(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toBe("MALFORMED_CHECKPOINT");
  });

  it("reads the empty tree's size 0", () => {
    const parsed = parseCheckpoint(C2SP_BODY.replace("20852163", "0"));
    expect(parsed.ok && parsed.checkpoint.size).toBe(0);
  });

  it("round-trips any checkpoint (property)", () => {
    const line = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
      .filter((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20));
    fc.assert(
      fc.property(
        line,
        fc.maxSafeNat(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 3 }),
        (origin, size, root, extensions) => {
          const checkpoint =
            extensions.length > 0 ? { origin, size, root, extensions } : { origin, size, root };
          expect(parseCheckpoint(formatCheckpoint(checkpoint))).toEqual({ ok: true, checkpoint });
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
  });
});

describe("signed checkpoints", () => {
  it("signs and opens a checkpoint of the expected log", async () => {
    const { signerKey, verifierKey } = await generateSignerKey("lapse.example/log/ten_1");
    const checkpoint = { origin: "lapse.example/log/ten_1", size: 42, root: ROOT };
    const note = await signCheckpoint(checkpoint, signerKey);
    expect(
      note.startsWith(`lapse.example/log/ten_1\n42\n${btoa(String.fromCharCode(...ROOT))}\n\n— `),
    ).toBe(true);
    expect(await openCheckpoint(note, [verifierKey], "lapse.example/log/ten_1")).toEqual({
      ok: true,
      checkpoint,
      verifiedBy: ["lapse.example/log/ten_1"],
    });
  });

  it("refuses another log's checkpoint, a bad signature and a body that is no checkpoint", async () => {
    const { signerKey, verifierKey } = await generateSignerKey("lapse.example/log/ten_1");
    const note = await signCheckpoint(
      { origin: "lapse.example/log/ten_1", size: 42, root: ROOT },
      signerKey,
    );
    expect(await openCheckpoint(note, [verifierKey], "lapse.example/log/ten_2")).toMatchObject({
      ok: false,
      error: "WRONG_ORIGIN",
    });
    expect(
      await openCheckpoint(
        note.replace("\n42\n", "\n43\n"),
        [verifierKey],
        "lapse.example/log/ten_1",
      ),
    ).toMatchObject({
      ok: false,
      error: "BAD_SIGNATURE",
    });
    const notACheckpoint = await signNote("lapse.example/log/ten_1\n", signerKey);
    expect(
      await openCheckpoint(notACheckpoint, [verifierKey], "lapse.example/log/ten_1"),
    ).toMatchObject({
      ok: false,
      error: "MALFORMED_CHECKPOINT",
    });
  });
});
