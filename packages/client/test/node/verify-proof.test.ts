/**
 * verifyProof, the offline check of a proof document (R11), as a client user calls it: on a
 * document built from a real log with @lapse/proof, from the source and from the built bundle.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  appendToTiles,
  type Entry,
  encodeBase64,
  encodeEntry,
  generateSignerKey,
  inclusionProof,
  leafHash,
  type ProofDocument,
  profileCommitment,
  type ReadTile,
  signCheckpoint,
  treeRoot,
} from "@lapse/proof";
import { beforeAll, describe, expect, it } from "vitest";
import { type ProofVerification, verifyProof } from "../../src/index.ts";

const ORIGIN = "lapse.example/ten_client";
const CUSTOMER = { key: 3, id: "cust-1", salt: Uint8Array.from({ length: 32 }, (_, i) => 7 * i) };

/** The log: others' entries, the customer's binding at 5 and changes at 9 and 40. */
function entries(): Entry[] {
  return Array.from({ length: 48 }, (_, i): Entry => {
    if (i === 5) {
      return {
        kind: "profile_binding",
        profile: CUSTOMER.key,
        commitment: profileCommitment(CUSTOMER.salt, CUSTOMER.id),
        recordedAt: 1_767_225_600_000,
      };
    }
    return {
      kind: "status_change",
      profile: i === 9 || i === 40 ? CUSTOMER.key : 10 + (i % 3),
      consent: "newsletter",
      consentVersion: 1,
      from: "unknown",
      to: "accepted",
      reason: "customer",
      actor: "key_demo",
      occurredAt: 1_767_225_600_000 + i,
      recordedAt: 1_767_225_600_000 + i,
    };
  });
}

let verifierKey: string;
let document: ProofDocument;

beforeAll(async () => {
  const log = entries();
  const bytes = log.map(encodeEntry);
  const rows = new Map<string, Uint8Array>();
  const read: ReadTile = async (level, index) => rows.get(`${level}/${index}`);
  const { tiles } = await appendToTiles(0, bytes.map(leafHash), read);
  for (const tile of tiles) {
    rows.set(`${tile.level}/${tile.index}`, tile.hashes);
  }
  const keys = await generateSignerKey(ORIGIN);
  verifierKey = keys.verifierKey;
  const root = await treeRoot(log.length, read);
  document = {
    format: "lapse-proof/2",
    generatedAt: "2026-03-01T12:00:00.000Z",
    tenant: { id: "ten_client", name: "Brand" },
    profileId: CUSTOMER.id,
    states: [],
    consents: [],
    log: {
      origin: ORIGIN,
      treeSize: log.length,
      rootHash: encodeBase64(root),
      checkpoint: await signCheckpoint({ origin: ORIGIN, size: log.length, root }, keys.signerKey),
    },
    profile: { key: CUSTOMER.key, salt: encodeBase64(CUSTOMER.salt) },
    entries: await Promise.all(
      [5, 9, 40].map(async (index) => ({
        index,
        entry: encodeBase64(bytes[index] as Uint8Array),
        inclusionProof: (await inclusionProof(index, log.length, read)).map(encodeBase64),
        view: { kind: log[index]?.kind },
      })),
    ),
  };
});

describe("verifyProof", () => {
  it("R11: accepts a document built from the log, as parsed JSON and as the downloaded text", async () => {
    const expected: ProofVerification = {
      ok: true,
      treeSize: 48,
      rootHash: document.log.rootHash,
      entries: 3,
      problems: [],
    };
    expect(await verifyProof(document, verifierKey)).toEqual(expected);
    expect(await verifyProof(JSON.stringify(document), [verifierKey])).toEqual(expected);
  });

  it("R11: refuses the document under another key, and an entry that was changed", async () => {
    const other = await generateSignerKey(ORIGIN);
    const wrongKey = await verifyProof(document, other.verifierKey);
    expect(wrongKey.problems.map((p) => p.kind)).toEqual(["signature"]);

    const forged = structuredClone(document);
    const entry = forged.entries[1] as ProofDocument["entries"][number];
    entry.entry = encodeBase64(
      encodeEntry({
        kind: "status_change",
        profile: CUSTOMER.key,
        consent: "newsletter",
        consentVersion: 1,
        from: "unknown",
        to: "refused",
        reason: "customer",
        actor: "key_demo",
        occurredAt: 1_767_225_600_009,
        recordedAt: 1_767_225_600_009,
      }),
    );
    const verification = await verifyProof(forged, verifierKey);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      { kind: "inclusion", index: 1, message: expect.stringMatching(/log index 9/) },
    ]);
  });
});

describe("the built package", () => {
  const dist = path.join(import.meta.dirname, "../../dist/index.js");

  it("bundles the verifier: dist/index.js imports neither @lapse/proof nor @noble/hashes", () => {
    const code = readFileSync(dist, "utf8");
    const imported = [...code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm)].map(
      (match) => match[1],
    );
    expect(imported).toContain("@trpc/client"); // the pattern does see imports
    expect(imported.filter((specifier) => /^@(lapse|noble)\//.test(specifier ?? ""))).toEqual([]);
    expect(code).not.toMatch(/import\(\s*["']@(lapse|noble)\//);
  });

  it("R11: its verifyProof accepts the document and refuses a wrong key", async () => {
    const built = (await import(pathToFileURL(dist).href)) as { verifyProof: typeof verifyProof };
    expect((await built.verifyProof(document, verifierKey)).ok).toBe(true);
    const other = await generateSignerKey(ORIGIN);
    expect((await built.verifyProof(document, other.verifierKey)).ok).toBe(false);
  });
});
