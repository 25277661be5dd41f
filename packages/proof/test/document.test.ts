/**
 * The offline verifier of a profile's proof document (R11): documents are built from a real log
 * here — entries by encodeEntry, tiles by appendToTiles, proofs by inclusionProof, a checkpoint
 * signed with a generated key — and then altered the ways a forger or a bug would alter them.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeBase64,
  type Entry,
  encodeBase64,
  encodeEntry,
  generateSignerKey,
  inclusionProof,
  leafHash,
  type ProofDocument,
  type ProofProblemKind,
  type ProofVerification,
  profileCommitment,
  signCheckpoint,
  treeRoot,
  verifyProofDocument,
} from "../src/index.ts";
import { flipBit, MemoryTiles, PROPERTY_RUNS } from "./fixtures.ts";

const ORIGIN = "lapse.example/ten_test";
const ALICE = { key: 7, id: "customer-123", salt: Uint8Array.from({ length: 32 }, (_, i) => i) };
const BOB = {
  key: 8,
  id: "customer-456",
  salt: Uint8Array.from({ length: 32 }, (_, i) => 255 - i),
};
type Customer = typeof ALICE;

/** A status change of `profile`, distinct per `n`. */
function change(profile: number, n: number): Entry {
  return {
    kind: "status_change",
    profile,
    consent: n % 2 === 0 ? "newsletter" : "terms",
    consentVersion: 1 + (n % 3),
    from: "unknown",
    to: n % 3 === 0 ? "refused" : "accepted",
    reason: "customer",
    actor: `key_${n}`,
    occurredAt: 1_767_225_600_000 + n * 1_000,
    recordedAt: 1_767_225_600_000 + n * 1_000 + 5,
  };
}

function binding(customer: Customer, recordedAt = 1_767_225_600_000): Entry {
  return {
    kind: "profile_binding",
    profile: customer.key,
    commitment: profileCommitment(customer.salt, customer.id),
    recordedAt,
  };
}

/** A tenant's log: its entries, its tiles and the key that signs its checkpoints. */
interface Log {
  entries: Entry[];
  bytes: Uint8Array[];
  tiles: MemoryTiles;
  signerKey: string;
  verifierKey: string;
}

async function logOf(entries: Entry[]): Promise<Log> {
  const bytes = entries.map(encodeEntry);
  const tiles = new MemoryTiles();
  await tiles.append(bytes.map(leafHash));
  const { signerKey, verifierKey } = await generateSignerKey(ORIGIN);
  return { entries, bytes, tiles, signerKey, verifierKey };
}

/** A JSON-friendly rendering of an entry, as the API's `view` would show it. */
function viewOf(entry: Entry): Record<string, unknown> {
  return entry.kind === "profile_binding"
    ? { ...entry, commitment: encodeBase64(entry.commitment) }
    : { ...entry };
}

/**
 * The proof document of `customer` at tree size `size`, listing the entries at `indices`, with
 * proofs against `proofSize` (the checkpoint's size unless a test says otherwise).
 */
async function documentOf(
  log: Log,
  customer: Customer,
  indices: readonly number[],
  options: { size?: number; proofSize?: number } = {},
): Promise<ProofDocument> {
  const size = options.size ?? log.entries.length;
  const proofSize = options.proofSize ?? size;
  const root = await treeRoot(size, log.tiles.read);
  const checkpoint = await signCheckpoint({ origin: ORIGIN, size, root }, log.signerKey);
  return {
    format: "lapse-proof/2",
    generatedAt: "2026-03-01T12:00:00.000Z",
    tenant: { id: "ten_test", name: "Brand Müller" },
    profileId: customer.id,
    states: [{ consent: "newsletter", status: "accepted", expiresOn: "2027-03-01" }],
    consents: [{ key: "newsletter", version: 2, text: "We send you our news, weekly." }],
    log: { origin: ORIGIN, treeSize: size, rootHash: encodeBase64(root), checkpoint },
    profile: { key: customer.key, salt: encodeBase64(customer.salt) },
    entries: await Promise.all(
      indices.map(async (index) => ({
        index,
        entry: encodeBase64(log.bytes[index] as Uint8Array),
        inclusionProof: (await inclusionProof(index, proofSize, log.tiles.read)).map(encodeBase64),
        view: viewOf(log.entries[index] as Entry),
      })),
    ),
  };
}

/** A deep copy to alter. */
function copy(document: ProofDocument): ProofDocument {
  return structuredClone(document);
}

/** The kinds of the problems found, in order. */
function kinds(verification: ProofVerification): ProofProblemKind[] {
  return verification.problems.map((problem) => problem.kind);
}

/**
 * A log of 300 entries of seven profiles: Alice (key 7) is bound at 3 and changes at 10, 150 and
 * 299 (the last leaf); Bob (key 8) is bound at 20 and changes at 40 and 200; the rest are others'.
 */
const ALICE_AT = [3, 10, 150, 299];
const BOB_AT = [20, 40, 200];
let log: Log;
let aliceDocument: ProofDocument;

beforeAll(async () => {
  const entries = Array.from({ length: 300 }, (_, i) => change(100 + (i % 5), i));
  entries[3] = binding(ALICE);
  entries[20] = binding(BOB);
  for (const i of [10, 150, 299]) {
    entries[i] = change(ALICE.key, i);
  }
  for (const i of [40, 200]) {
    entries[i] = change(BOB.key, i);
  }
  log = await logOf(entries);
  aliceDocument = await documentOf(log, ALICE, ALICE_AT);
});

describe("verifyProofDocument: a document as the API makes it", () => {
  it("R11: a document built from the log verifies against the log's key", async () => {
    const verification = await verifyProofDocument(aliceDocument, log.verifierKey);
    expect(verification).toEqual({
      ok: true,
      treeSize: 300,
      rootHash: aliceDocument.log.rootHash,
      entries: 4,
      problems: [],
    });
  });

  it("R11: the document verifies as JSON text and as its UTF-8 bytes, as a DPO keeps it", async () => {
    const text = JSON.stringify(aliceDocument, null, 2);
    expect((await verifyProofDocument(text, log.verifierKey)).ok).toBe(true);
    expect((await verifyProofDocument(new TextEncoder().encode(text), log.verifierKey)).ok).toBe(
      true,
    );
  });

  it("R11: a document of an older checkpoint still verifies against its own size", async () => {
    const old = await documentOf(log, ALICE, [3, 10, 150], { size: 160 });
    const verification = await verifyProofDocument(old, log.verifierKey);
    expect(verification.problems).toEqual([]);
    expect(verification.treeSize).toBe(160);
  });

  it("R11: the informative fields are not verified (nothing signs them)", async () => {
    const document = copy(aliceDocument);
    document.states = [];
    document.consents = [{ text: "another wording" }];
    document.tenant.name = "Another brand";
    document.generatedAt = "2030-01-01T00:00:00Z";
    for (const entry of document.entries) {
      entry.view = { note: "the view is the API's rendering, the entry bytes are what is proven" };
    }
    expect((await verifyProofDocument(document, log.verifierKey)).ok).toBe(true);
  });
});

describe("verifyProofDocument: tampering", () => {
  const utf8 = new TextEncoder();

  /** Where the values nothing signs sit in the UTF-8 bytes of the JSON text: [start, end). */
  function informativeSpans(text: string, document: ProofDocument): [number, number][] {
    const values: unknown[] = [
      document.generatedAt,
      document.tenant,
      document.states,
      document.consents,
      ...document.entries.map((entry) => entry.view),
    ];
    return values.map((value) => {
      const json = JSON.stringify(value);
      const start = text.indexOf(json);
      if (start < 0 || text.indexOf(json, start + 1) >= 0) {
        throw new Error(`test setup: ${json} is not once in the document`);
      }
      const byteStart = utf8.encode(text.slice(0, start)).length;
      return [byteStart, byteStart + utf8.encode(json).length];
    });
  }

  /** The byte positions of the text that lie in no informative value. */
  function verifiedPositions(bytes: Uint8Array, spans: [number, number][]): number[] {
    const positions: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (!spans.some(([start, end]) => i >= start && i < end)) {
        positions.push(i);
      }
    }
    return positions;
  }

  it("R11: changing any single byte of the JSON text outside the informative values fails it", async () => {
    const text = JSON.stringify(aliceDocument);
    const bytes = utf8.encode(text);
    const positions = verifiedPositions(bytes, informativeSpans(text, aliceDocument));
    // The spans leave out only the informative values: the proven texts are all still covered.
    const proven = [aliceDocument.log.checkpoint, aliceDocument.log.rootHash]
      .concat(aliceDocument.entries.flatMap((entry) => [entry.entry, ...entry.inclusionProof]))
      .map((value) => utf8.encode(value).length);
    expect(positions.length).toBeGreaterThan(proven.reduce((a, b) => a + b, 0));
    const passed: number[] = [];
    for (const position of positions) {
      const verification = await verifyProofDocument(flipBit(bytes, position), log.verifierKey);
      if (verification.ok) {
        passed.push(position);
      }
    }
    // Shown with the text around each position, so a failure says which field is not covered.
    const around = (p: number) =>
      new TextDecoder().decode(bytes.subarray(Math.max(0, p - 20), p + 20));
    expect(passed.map(around)).toEqual([]);
  }, 60_000);

  it("R11: replacing any verified byte of the JSON text by any other byte fails it (property)", async () => {
    const text = JSON.stringify(aliceDocument);
    const bytes = utf8.encode(text);
    const positions = verifiedPositions(bytes, informativeSpans(text, aliceDocument));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...positions),
        fc.integer({ min: 1, max: 255 }),
        async (position, mask) => {
          const changed = bytes.slice();
          changed[position] = (changed[position] ?? 0) ^ mask;
          expect((await verifyProofDocument(changed, log.verifierKey)).ok).toBe(false);
        },
      ),
      { numRuns: PROPERTY_RUNS * 5 },
    );
  }, 60_000);

  /** Every base64 field that is proven, with the way to put altered bytes back. */
  function base64Fields(document: ProofDocument) {
    const fields: {
      name: string;
      bytes: Uint8Array;
      put: (doc: ProofDocument, bytes: Uint8Array) => void;
      expected: ProofProblemKind[];
    }[] = [
      {
        name: "log.rootHash",
        bytes: decodeBase64(document.log.rootHash) as Uint8Array,
        put: (doc, bytes) => {
          doc.log.rootHash = encodeBase64(bytes);
        },
        expected: ["checkpoint"],
      },
      {
        name: "profile.salt",
        bytes: decodeBase64(document.profile.salt) as Uint8Array,
        put: (doc, bytes) => {
          doc.profile.salt = encodeBase64(bytes);
        },
        expected: ["binding"],
      },
    ];
    // The signature: the last line of the note is "— <name> <base64(key id ‖ signature)>".
    const note = document.log.checkpoint;
    const lineStart = note.lastIndexOf("\n", note.length - 2) + 1;
    const prefix = note.slice(0, note.indexOf(" ", lineStart + 2) + 1);
    fields.push({
      name: "the checkpoint's signature",
      bytes: decodeBase64(note.slice(prefix.length, -1)) as Uint8Array,
      put: (doc, bytes) => {
        doc.log.checkpoint = `${prefix}${encodeBase64(bytes)}\n`;
      },
      expected: ["signature"],
    });
    document.entries.forEach((entry, position) => {
      fields.push({
        name: `entries[${position}].entry`,
        bytes: decodeBase64(entry.entry) as Uint8Array,
        put: (doc, bytes) => {
          (doc.entries[position] as ProofDocument["entries"][number]).entry = encodeBase64(bytes);
        },
        // Altered bytes that still decode are another leaf: not in the tree, maybe not Alice's.
        expected: ["malformed", "inclusion", "binding"],
      });
      entry.inclusionProof.forEach((hash, h) => {
        fields.push({
          name: `entries[${position}].inclusionProof[${h}]`,
          bytes: decodeBase64(hash) as Uint8Array,
          put: (doc, bytes) => {
            const proof = (doc.entries[position] as ProofDocument["entries"][number])
              .inclusionProof;
            proof[h] = encodeBase64(bytes);
          },
          expected: ["inclusion"],
        });
      });
    });
    return fields;
  }

  it("R11: changing any byte of an entry, a proof hash, the root, the salt or the signature fails it", async () => {
    const fields = base64Fields(aliceDocument);
    expect(fields.length).toBeGreaterThan(30);
    for (const field of fields) {
      for (let i = 0; i < field.bytes.length; i++) {
        const document = copy(aliceDocument);
        field.put(document, flipBit(field.bytes, i));
        const verification = await verifyProofDocument(document, log.verifierKey);
        expect(verification.ok, `${field.name} byte ${i}`).toBe(false);
        for (const kind of kinds(verification)) {
          expect(field.expected, `${field.name} byte ${i}: ${kind}`).toContain(kind);
        }
      }
    }
  }, 60_000);

  it("R11: any change to the decoded bytes of a proven base64 field fails it (property)", async () => {
    const fields = base64Fields(aliceDocument);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: fields.length - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (f, at, mask) => {
          const field = fields[f] as (typeof fields)[number];
          const bytes = field.bytes.slice();
          const i = at % bytes.length;
          bytes[i] = (bytes[i] ?? 0) ^ mask;
          const document = copy(aliceDocument);
          field.put(document, bytes);
          expect((await verifyProofDocument(document, log.verifierKey)).ok).toBe(false);
        },
      ),
      { numRuns: PROPERTY_RUNS * 2 },
    );
  });
});

describe("verifyProofDocument: keys", () => {
  it("R11: another key fails the signature, even one of the same name", async () => {
    const other = await generateSignerKey(ORIGIN);
    const verification = await verifyProofDocument(aliceDocument, other.verifierKey);
    expect(verification.ok).toBe(false);
    expect(kinds(verification)).toEqual(["signature"]);
    expect(verification.treeSize).toBeNull();
    expect(verification.rootHash).toBeNull();
    expect(verification.problems[0]?.message).toMatch(/no signature from the verifier key/);
  });

  it("R11: a list of keys passes when one of them is the log's", async () => {
    const other = await generateSignerKey("lapse.example/other");
    const verification = await verifyProofDocument(aliceDocument, [
      other.verifierKey,
      log.verifierKey,
    ]);
    expect(verification.ok).toBe(true);
    expect((await verifyProofDocument(aliceDocument, [other.verifierKey])).ok).toBe(false);
  });

  it("R11: a checkpoint re-signed by another key fails against the log's key", async () => {
    const forger = await generateSignerKey(ORIGIN);
    const root = decodeBase64(aliceDocument.log.rootHash) as Uint8Array;
    const document = copy(aliceDocument);
    document.log.checkpoint = await signCheckpoint(
      { origin: ORIGIN, size: 300, root },
      forger.signerKey,
    );
    expect(kinds(await verifyProofDocument(document, log.verifierKey))).toEqual(["signature"]);
    expect((await verifyProofDocument(document, forger.verifierKey)).ok).toBe(true);
  });

  it.each([
    ["an empty list", []],
    ["a key that is not a key", "not a key"],
    ["a signer key instead of a verifier key", "PRIVATE+KEY+x+00000000+AQ=="],
    ["a list holding a non-string", [42 as unknown as string]],
  ])("R11: %s is a signature problem, not a throw", async (_, key) => {
    const verification = await verifyProofDocument(aliceDocument, key);
    expect(verification.ok).toBe(false);
    expect(kinds(verification)).toEqual(["signature"]);
  });

  it("R11: a malformed key in a list is named even when another key verifies", async () => {
    const verification = await verifyProofDocument(aliceDocument, ["typo", log.verifierKey]);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      { kind: "signature", message: expect.stringMatching(/^Verifier key 1 is not a valid key/) },
    ]);
    expect(verification.treeSize).toBe(300);
  });
});

describe("verifyProofDocument: the checkpoint", () => {
  it("R11: a log section that disagrees with the signed checkpoint fails it", async () => {
    const origin = copy(aliceDocument);
    origin.log.origin = "lapse.example/ten_other";
    const size = copy(aliceDocument);
    size.log.treeSize = 301;
    const root = copy(aliceDocument);
    root.log.rootHash = (await documentOf(log, ALICE, [], { size: 299 })).log.rootHash;
    for (const document of [origin, size, root]) {
      expect(kinds(await verifyProofDocument(document, log.verifierKey))).toEqual(["checkpoint"]);
    }
  });

  it("R11: a checkpoint of another log, signed by the same key, fails it", async () => {
    const document = copy(aliceDocument);
    const root = decodeBase64(document.log.rootHash) as Uint8Array;
    const checkpoint = await signCheckpoint(
      { origin: "lapse.example/ten_other", size: 300, root },
      log.signerKey,
    );
    document.log.checkpoint = checkpoint;
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(kinds(verification)).toEqual(["checkpoint"]);
    expect(verification.problems[0]?.message).toMatch(/ten_other/);
  });
});

describe("verifyProofDocument: entries", () => {
  it("R11: a proof against an older tree size fails the inclusion", async () => {
    const document = await documentOf(log, ALICE, [3, 10, 150], { proofSize: 160 });
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(kinds(verification)).toEqual(["inclusion", "inclusion", "inclusion"]);
    expect(verification.problems.map((p) => p.index)).toEqual([0, 1, 2]);
  });

  it("R11: an entry past the checkpoint's size fails the order", async () => {
    const old = await documentOf(log, ALICE, [3, 10, 150], { size: 160 });
    const later = await documentOf(log, ALICE, [299]);
    old.entries.push(later.entries[0] as ProofDocument["entries"][number]);
    const verification = await verifyProofDocument(old, log.verifierKey);
    expect(verification.problems).toEqual([
      { kind: "order", index: 3, message: expect.stringMatching(/outside the log/) },
    ]);
  });

  it("R11: a document that leaves out entries still verifies: it shows what the API chose", async () => {
    const document = await documentOf(log, ALICE, [3, 150]);
    expect((await verifyProofDocument(document, log.verifierKey)).ok).toBe(true);
  });

  it("R11: reordered or repeated indices fail the order", async () => {
    const swapped = copy(aliceDocument);
    const [a, b] = swapped.entries.splice(1, 2);
    swapped.entries.splice(1, 0, b as (typeof swapped.entries)[number], a as never);
    const swappedResult = await verifyProofDocument(swapped, log.verifierKey);
    expect(swappedResult.problems).toEqual([
      { kind: "order", index: 2, message: expect.stringMatching(/does not come after/) },
    ]);

    const repeated = copy(aliceDocument);
    repeated.entries.splice(2, 0, copy(aliceDocument).entries[1] as never);
    expect(kinds(await verifyProofDocument(repeated, log.verifierKey))).toEqual(["order"]);
  });

  it("R11: an entry with its index changed fails the inclusion", async () => {
    const document = copy(aliceDocument);
    (document.entries[1] as ProofDocument["entries"][number]).index = 11;
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(verification.problems).toEqual([
      { kind: "inclusion", index: 1, message: expect.stringMatching(/log index 11/) },
    ]);
  });
});

describe("verifyProofDocument: the binding", () => {
  it("R11: an entry of another profile fails the binding, though it is in the log", async () => {
    const document = await documentOf(log, ALICE, [3, 10, 40, 150]);
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(verification.problems).toEqual([
      { kind: "binding", index: 2, message: expect.stringMatching(/profile key 8, not .* 7/) },
    ]);
  });

  it("R11: Bob's entries under Alice's key fail the binding", async () => {
    const document = await documentOf(log, BOB, BOB_AT);
    document.profile.key = ALICE.key;
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(kinds(verification)).toEqual(["binding", "binding", "binding", "binding"]);
  });

  it("R11: a document naming another customer id fails the binding", async () => {
    const document = copy(aliceDocument);
    document.profileId = BOB.id;
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(verification.problems).toEqual([
      { kind: "binding", index: 0, message: expect.stringMatching(/another customer id/) },
    ]);
  });

  it("R11: Bob's binding in place of Alice's fails the binding", async () => {
    const document = await documentOf(log, ALICE, [10, 20, 150]);
    document.profileId = BOB.id;
    document.profile.salt = encodeBase64(BOB.salt);
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(kinds(verification)).toEqual(["binding", "binding"]);
    expect(verification.problems[0]).toMatchObject({ index: 1 });
    expect(verification.problems[1]?.message).toMatch(/No entry binds profile key 7/);
  });

  it("R11: a document without the binding entry fails the binding", async () => {
    const document = await documentOf(log, ALICE, [10, 150, 299]);
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(verification.problems).toEqual([
      { kind: "binding", message: expect.stringMatching(/No entry binds profile key 7/) },
    ]);
  });

  it("R11: a profile bound twice fails the binding", async () => {
    const twice = await logOf([binding(ALICE), change(ALICE.key, 1), binding(ALICE, 2)]);
    const document = await documentOf(twice, ALICE, [0, 1, 2]);
    const verification = await verifyProofDocument(document, twice.verifierKey);
    expect(verification.problems).toEqual([
      { kind: "binding", index: 2, message: expect.stringMatching(/a second time/) },
    ]);
  });
});

describe("verifyProofDocument: malformed documents", () => {
  it.each([
    ["nothing", undefined],
    ["null", null],
    ["a number", 42],
    ["a list", []],
    ["text that is not JSON", "{"],
    ["bytes that are not UTF-8", Uint8Array.of(0x7b, 0xff, 0x7d)],
    ["JSON text of a list", "[]"],
    ["an empty object", {}],
    ["the previous format", { format: "lapse-proof/1" }],
  ])("R11: %s is refused as malformed, not thrown", async (_, document) => {
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(verification).toMatchObject({ ok: false, treeSize: null, rootHash: null, entries: 0 });
    expect(kinds(verification)).toEqual(["malformed"]);
  });

  type Alter = (doc: Record<string, unknown> & ProofDocument) => void;
  const entry0 = (doc: ProofDocument) => doc.entries[0] as unknown as Record<string, unknown>;
  it.each<[string, Alter]>([
    ["generatedAt is not an instant", (doc) => Object.assign(doc, { generatedAt: "yesterday" })],
    ["tenant is missing", (doc) => Object.assign(doc, { tenant: undefined })],
    ["states is not a list", (doc) => Object.assign(doc, { states: {} })],
    ["log.treeSize is text", (doc) => Object.assign(doc.log, { treeSize: "300" })],
    ["log.rootHash is 31 bytes", (doc) => Object.assign(doc.log, { rootHash: "AAAA" })],
    ["profile.key is negative", (doc) => Object.assign(doc.profile, { key: -7 })],
    ["profile.salt is unpadded", (doc) => Object.assign(doc.profile, { salt: "AAAA" })],
    [
      "an entry's proof holds a number",
      (doc) => Object.assign(entry0(doc), { inclusionProof: [1] }),
    ],
    ["an entry has no view", (doc) => Object.assign(entry0(doc), { view: undefined })],
    [
      "an entry has a trailing byte",
      (doc) => {
        const bytes = decodeBase64(doc.entries[0]?.entry ?? "") as Uint8Array;
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        Object.assign(entry0(doc), { entry: encodeBase64(longer) });
      },
    ],
  ])("R11: a document where %s is malformed", async (_, alter) => {
    const document = copy(aliceDocument) as Record<string, unknown> & ProofDocument;
    alter(document);
    const verification = await verifyProofDocument(document, log.verifierKey);
    expect(verification.ok).toBe(false);
    expect(kinds(verification)).toContain("malformed");
    expect(verification.problems.find((p) => p.kind === "malformed")?.message).toMatch(/\.$/);
  });

  it("R11: a hostile object is refused, not thrown", async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
      },
    );
    const verification = await verifyProofDocument(hostile, log.verifierKey);
    expect(verification).toMatchObject({ ok: false, problems: [{ kind: "malformed" }] });
  });

  it("R11: any JSON value in any field is refused or verified, never thrown (property)", async () => {
    const fields = ["format", "generatedAt", "tenant", "profileId", "states", "consents", "log"]
      .concat(["profile", "entries"])
      .map((name) => [name]);
    const nested = [
      ["log", "origin"],
      ["log", "treeSize"],
      ["log", "rootHash"],
      ["log", "checkpoint"],
      ["profile", "key"],
      ["profile", "salt"],
      ["entries", "0"],
      ["entries", "0", "index"],
      ["entries", "0", "entry"],
      ["entries", "0", "inclusionProof"],
      ["entries", "0", "inclusionProof", "0"],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields, ...nested),
        fc.jsonValue(),
        async (path, value) => {
          const document = copy(aliceDocument) as unknown as Record<string, unknown>;
          let at = document;
          for (const key of path.slice(0, -1)) {
            at = at[key] as Record<string, unknown>;
          }
          at[path.at(-1) as string] = value;
          const verification = await verifyProofDocument(document, log.verifierKey);
          expect(typeof verification.ok).toBe("boolean");
          for (const problem of verification.problems) {
            expect(problem.message).toMatch(/^[A-Z].*\.$/s);
          }
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
  });
});
