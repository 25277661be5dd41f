/**
 * C2SP signed notes with Ed25519 over WebCrypto. Vectors: golang.org/x/mod sumdb/note/note_test.go
 * (github.com/golang/mod, commit fe2ec04f: the PeterNeumann and EnochRoot keys, the signed
 * Neumann quote, its manglings) and the example of c2sp.org/signed-note (C2SP/C2SP signed-note.md,
 * commit 5ba5ee83: example.com/foo).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  isValidKeyName,
  keyId,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signerKeyFromSeed,
  signNote,
  verifierKeyFromSigner,
} from "../src/index.ts";
import { b64, hex } from "./fixtures.ts";

// golang.org/x/mod/sumdb/note/note_test.go
const PETER_SIGNER =
  "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VERIFIER = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT =
  "If you think cryptography is the answer to your problem,\n" +
  "then you don't know what your problem is.\n";
const PETER_SIG =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

// c2sp.org/signed-note, "Example"
const C2SP_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const C2SP_NOTE =
  "This is an example message.\n\n" +
  "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

describe("keys", () => {
  it("parses the Go vector keys and recomputes their key ids", async () => {
    const peter = parseVerifierKey(PETER_VERIFIER);
    expect(peter.ok && peter.key.name).toBe("PeterNeumann");
    expect(peter.ok && peter.key.id).toBe(0xc74f20a3);
    if (peter.ok) {
      expect(keyId("PeterNeumann", peter.key.publicKey)).toBe(0xc74f20a3);
      expect(formatVerifierKey(peter.key)).toBe(PETER_VERIFIER);
    }
    const signer = await parseSignerKey(PETER_SIGNER);
    expect(signer.ok && signer.key.id).toBe(0xc74f20a3);
    if (signer.ok) {
      expect(formatSignerKey(signer.key)).toBe(PETER_SIGNER);
    }
    expect(await verifierKeyFromSigner(PETER_SIGNER)).toBe(PETER_VERIFIER);
    const enoch = parseVerifierKey(ENOCH_VERIFIER);
    expect(enoch.ok && enoch.key.id).toBe(0xaf0cfe78);
    const c2sp = parseVerifierKey(C2SP_VERIFIER);
    expect(c2sp.ok && c2sp.key.id).toBe(0x530d903a);
  });

  it("computes the key id as SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4], big-endian", () => {
    const key = parseVerifierKey(PETER_VERIFIER);
    if (!key.ok) {
      throw new Error(key.message);
    }
    // The public key is the base64 material after its 0x01 type byte.
    expect(key.key.publicKey).toEqual(b64("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").slice(1));
    expect(keyId("PeterNeumann", key.key.publicKey)).toBe(0xc74f20a3);
    expect(keyId("PeterNeumann2", key.key.publicKey)).not.toBe(0xc74f20a3);
  });

  it("refuses every substring and every one-byte change of the Go verifier key", () => {
    // As TestNewVerifier does.
    const bad: string[] = [];
    for (let i = 0; i <= PETER_VERIFIER.length; i++) {
      for (let j = i + 1; j <= PETER_VERIFIER.length; j++) {
        if (i !== 0 || j !== PETER_VERIFIER.length) {
          bad.push(PETER_VERIFIER.slice(i, j));
        }
      }
    }
    for (let i = 0; i < PETER_VERIFIER.length; i++) {
      const code = PETER_VERIFIER.charCodeAt(i) + 1;
      bad.push(
        PETER_VERIFIER.slice(0, i) + String.fromCharCode(code) + PETER_VERIFIER.slice(i + 1),
      );
    }
    // Wrong key length and unknown algorithm, each with an adjusted key id.
    bad.push("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==");
    bad.push("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    for (const text of bad) {
      const parsed = parseVerifierKey(text);
      expect(parsed.ok, text).toBe(false);
      expect(!parsed.ok && parsed.error).toBe("MALFORMED_KEY");
    }
  });

  it("refuses one-byte changes and truncations of the Go signer key", async () => {
    for (let i = 0; i < PETER_SIGNER.length; i++) {
      const code = PETER_SIGNER.charCodeAt(i) + 1;
      const text = PETER_SIGNER.slice(0, i) + String.fromCharCode(code) + PETER_SIGNER.slice(i + 1);
      expect((await parseSignerKey(text)).ok, text).toBe(false);
    }
    for (let j = 1; j < PETER_SIGNER.length; j++) {
      expect((await parseSignerKey(PETER_SIGNER.slice(0, j))).ok).toBe(false);
      expect((await parseSignerKey(PETER_SIGNER.slice(j))).ok).toBe(false);
    }
  });

  it("says why a key does not parse", async () => {
    const message = (text: string) => {
      const parsed = parseVerifierKey(text);
      return parsed.ok ? "" : parsed.message;
    };
    expect(message("PeterNeumann")).toMatch(/<name>\+<key id>\+<base64 key>/);
    expect(message("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toMatch(
      /invalid key name/,
    );
    expect(message("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toMatch(
      /8 lowercase hex/,
    );
    expect(message("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toMatch(
      /does not match/,
    );
    expect(message("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW")).toMatch(
      /base64/,
    );
    const signer = await parseSignerKey(PETER_VERIFIER);
    expect(!signer.ok && signer.message).toMatch(/PRIVATE\+KEY\+/);
  });

  it.each([
    ["example.com/log", true],
    ["PeterNeumann", true],
    ["ünïcode/日本", true],
    ["", false],
    ["a b", false],
    ["a+b", false],
    ["a\u00a0b", false],
    ["a\u2003b", false],
    ["a\u0085b", false],
    ["a\nb", false],
    ["a\tb", false],
    ["a\u0000b", false],
    ["a\ud800b", false],
  ])("key name %j is valid: %s", (name, valid) => {
    expect(isValidKeyName(name)).toBe(valid);
  });

  it("generates keys whose texts parse back and match each other", async () => {
    const { signerKey, verifierKey } = await generateSignerKey("lapse.example/log/ten_1");
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+lapse\.example\/log\/ten_1\+[0-9a-f]{8}\+A/);
    expect(verifierKey).toMatch(/^lapse\.example\/log\/ten_1\+[0-9a-f]{8}\+A/);
    expect(await verifierKeyFromSigner(signerKey)).toBe(verifierKey);
    expect(parseVerifierKey(verifierKey).ok).toBe(true);
    const other = await generateSignerKey("lapse.example/log/ten_1");
    expect(other.signerKey).not.toBe(signerKey);
    await expect(generateSignerKey("bad name")).rejects.toThrow(TypeError);
  });

  it("derives a key from a fixed seed (RFC 8032 test 1 public key)", async () => {
    // RFC 8032 §7.1, TEST 1: secret key 9d61…7f60, public key d75a…511a.
    const seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const key = await signerKeyFromSeed("rfc8032", seed);
    expect(key.publicKey).toEqual(
      hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
    );
    await expect(signerKeyFromSeed("rfc8032", seed.slice(1))).rejects.toThrow(TypeError);
  });
});

describe("signNote", () => {
  it("reproduces the Go vector note byte for byte (Ed25519 is deterministic)", async () => {
    expect(await signNote(TEXT, PETER_SIGNER)).toBe(`${TEXT}\n${PETER_SIG}`);
    const parsed = await parseSignerKey(PETER_SIGNER);
    if (parsed.ok) {
      expect(await signNote(TEXT, parsed.key)).toBe(`${TEXT}\n${PETER_SIG}`);
    }
  });

  it.each([
    ["no final newline", "abc"],
    ["a control character", "a\tb\n"],
    ["a carriage return", "a\r\n"],
    ["a lone surrogate", "a\ud800\n"],
  ])("refuses text with %s", async (_, text) => {
    await expect(signNote(text, PETER_SIGNER)).rejects.toThrow(TypeError);
  });

  it("refuses a malformed signer key", async () => {
    await expect(signNote(TEXT, PETER_VERIFIER)).rejects.toThrow(/invalid signer key/);
  });
});

describe("openNote", () => {
  it("opens the Go vector note and the C2SP example", async () => {
    expect(await openNote(`${TEXT}\n${PETER_SIG}`, [PETER_VERIFIER])).toEqual({
      ok: true,
      text: TEXT,
      verifiedBy: ["PeterNeumann"],
    });
    expect(await openNote(C2SP_NOTE, [C2SP_VERIFIER])).toEqual({
      ok: true,
      text: "This is an example message.\n",
      verifiedBy: ["example.com/foo"],
    });
    const bytes = new TextEncoder().encode(C2SP_NOTE);
    expect((await openNote(bytes, [C2SP_VERIFIER])).ok).toBe(true);
  });

  it("ignores signatures of unknown keys and reports every trusted key that verified", async () => {
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    expect(await openNote(note, [PETER_VERIFIER])).toMatchObject({
      ok: true,
      verifiedBy: ["PeterNeumann"],
    });
    expect(await openNote(note, [ENOCH_VERIFIER, PETER_VERIFIER])).toMatchObject({
      ok: true,
      verifiedBy: ["PeterNeumann", "EnochRoot"],
    });
    // A repeated signature line counts once; a repeated trusted key is not ambiguous.
    expect(
      await openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, [PETER_VERIFIER, PETER_VERIFIER]),
    ).toMatchObject({ ok: true, verifiedBy: ["PeterNeumann"] });
  });

  it("refuses a note with no trusted signature", async () => {
    const result = await openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []);
    expect(result).toEqual({
      ok: false,
      error: "UNKNOWN_KEY",
      message: "no signature from a trusted key",
    });
    expect((await openNote(C2SP_NOTE, [PETER_VERIFIER])).ok).toBe(false);
  });

  it("refuses tampered text, even by one character", async () => {
    const tampered = `${TEXT.replace("answer", "Answer")}\n${PETER_SIG}`;
    expect(await openNote(tampered, [PETER_VERIFIER])).toMatchObject({
      ok: false,
      error: "BAD_SIGNATURE",
    });
  });

  it("refuses a signature by another key under the trusted key's name and id", async () => {
    const { signerKey } = await generateSignerKey("PeterNeumann");
    const forged = await signNote(TEXT, signerKey);
    // Rewrite the forger's key id to Peter's: the name and id match, the key does not.
    const line = forged.slice(TEXT.length + 1);
    const sig = b64(line.slice("— PeterNeumann ".length, -1));
    sig.set(hex("c74f20a3"), 0);
    const note = `${TEXT}\n— PeterNeumann ${btoa(String.fromCharCode(...sig))}\n`;
    expect(await openNote(note, [PETER_VERIFIER])).toMatchObject({
      ok: false,
      error: "BAD_SIGNATURE",
    });
    // With its own id it is merely an unknown key.
    expect(await openNote(forged, [PETER_VERIFIER])).toMatchObject({ error: "UNKNOWN_KEY" });
  });

  it("refuses the whole note when a second signature line of a trusted key is bad", async () => {
    const bad = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(await openNote(`${TEXT}\n${PETER_SIG}${bad}`, [PETER_VERIFIER])).toMatchObject({
      ok: false,
      error: "BAD_SIGNATURE",
      message: "the signature of PeterNeumann does not verify",
    });
    // The same bad line from a key nobody trusts is ignored (C2SP: unknown keys are skipped).
    const enochBad = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    expect(await openNote(`${TEXT}\n${PETER_SIG}${enochBad}`, [PETER_VERIFIER])).toMatchObject({
      ok: true,
    });
  });

  it("refuses a signature of the wrong length from a trusted key", async () => {
    const short = `— PeterNeumann ${btoa(String.fromCharCode(...hex("c74f20a3"), 1, 2, 3))}\n`;
    expect(await openNote(`${TEXT}\n${short}`, [PETER_VERIFIER])).toMatchObject({
      error: "BAD_SIGNATURE",
    });
  });

  it("refuses two different trusted keys with one name and id", async () => {
    const peter = parseVerifierKey(PETER_VERIFIER);
    if (!peter.ok) {
      throw new Error(peter.message);
    }
    const impostor = { ...peter.key, publicKey: new Uint8Array(32) };
    expect(await openNote(`${TEXT}\n${PETER_SIG}`, [peter.key, impostor])).toMatchObject({
      ok: false,
      error: "AMBIGUOUS_KEY",
    });
  });

  it.each([
    ["text alone", TEXT],
    ["text and a blank line", `${TEXT}\n`],
    ["no final newline", `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ["a leading control character", `\u0001${TEXT}\n${PETER_SIG}`],
    ["a key name with a space", `${TEXT}\n${PETER_SIG.replace("PeterNeumann", "Bad Name")}`],
    ["a line after the signatures", `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ["a hyphen for the em dash", `${TEXT}\n${PETER_SIG.replace("—", "-")}`],
    ["signature base64 without padding", `${TEXT}\n${PETER_SIG.replace("=\n", "\n")}`],
    ["a signature of 4 bytes", `${TEXT}\n— PeterNeumann x08gow==\n`],
    ["two spaces", `${TEXT}\n${PETER_SIG.replace(" x08g", "  x08g")}`],
    ["a carriage return", `${TEXT.replace("\n", "\r\n")}\n${PETER_SIG}`],
    ["101 signatures", `${TEXT}\n${PETER_SIG.repeat(101)}`],
    ["a lone surrogate", `\ud800${TEXT}\n${PETER_SIG}`],
  ])("refuses a malformed note: %s", async (_, note) => {
    expect(await openNote(note, [PETER_VERIFIER])).toMatchObject({
      ok: false,
      error: "MALFORMED_NOTE",
    });
  });

  it("refuses bytes that are not UTF-8", async () => {
    const bytes = new Uint8Array([0xff, ...new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`)]);
    expect(await openNote(bytes, [PETER_VERIFIER])).toMatchObject({ error: "MALFORMED_NOTE" });
  });

  it("accepts 100 signatures (the limit; the spec asks for at least 16)", async () => {
    expect((await openNote(`${TEXT}\n${PETER_SIG.repeat(100)}`, [PETER_VERIFIER])).ok).toBe(true);
  });

  it("throws on a malformed verifier key: that is configuration, not network data", async () => {
    await expect(openNote(C2SP_NOTE, ["not a key"])).rejects.toThrow(/invalid verifier key/);
  });

  it("round-trips any valid text, which may hold blank lines and em dashes (property)", async () => {
    const { signerKey, verifierKey } = await generateSignerKey("lapse.test/roundtrip");
    const line = fc
      .string({ unit: "grapheme", maxLength: 30 })
      .map((s) => [...s].filter((c) => c.charCodeAt(0) >= 0x20).join(""));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), async (lines) => {
        const text = `${lines.join("\n")}\n`;
        const note = await signNote(text, signerKey);
        expect(await openNote(note, [verifierKey])).toEqual({
          ok: true,
          text,
          verifiedBy: ["lapse.test/roundtrip"],
        });
        const forged = `${text.slice(0, -1)}x\n\n${note.slice(text.length + 1)}`;
        expect((await openNote(forged, [verifierKey])).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
