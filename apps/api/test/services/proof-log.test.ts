import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  appendToTiles,
  decodeBase64,
  encodeHex,
  generateSignerKey,
  openCheckpoint,
  type ProofDocument,
  type ReadTile,
  rootOfLeaves,
  signCheckpoint,
  type Tile,
  treeRoot,
  verifyConsistency,
  verifyProofDocument,
} from "@lapse/proof";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { createApp } from "../../src/http/app.ts";
import worker from "../../src/index.ts";
import { rowLeafHash } from "../../src/services/proof/classify.ts";
import { d1Read, readEntryRows } from "../../src/services/proof/entries.ts";
import { proofKeysOf } from "../../src/services/proof/keys.ts";
import { auditTenant } from "../../src/services/proof/log.ts";
import { sealLeaseName, sealTenant } from "../../src/services/proof/seal.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, type FetchApp, mutate, query, send } from "../support/http.ts";
import { soleShardOf } from "../support/shards.ts";
import { daysAgo } from "../support/time.ts";

/**
 * The transparency log (R11, docs/proof.md): sealing, checkpoints, proofs, and every tamper an
 * insider with write access to the database (but not the signing key) can try, each detected
 * and named by admin.profiles.verify and by the tenant-wide check history:verify runs.
 */

interface Checkpoint {
  checkpoint: string;
  treeSize: number;
  rootHash: string;
  verifierKey: string;
}
interface Problem {
  kind: string;
  index?: number;
  message: string;
}
interface Verify {
  ok: boolean;
  treeSize: number;
  entries: number;
  problems: Problem[];
}

const keys = proofKeysOf(env);
const db = createDb(env.DB);

const TRIGGERS = [
  "entry_no_update",
  "entry_no_delete",
  "tile_only_grows",
  "tile_no_delete",
  "checkpoint_no_update",
  "checkpoint_no_delete",
];

/** The append-only triggers as the data migration creates them, to put back after a tamper. */
async function triggerSql(d1: D1Database): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${TRIGGERS.map(() => "?").join(", ")})`,
    )
    .bind(...TRIGGERS)
    .all<{ sql: string }>();
  return results.map((r) => r.sql);
}

/** An insider: drops the triggers that refuse UPDATE and DELETE, tampers, puts them back. */
async function insider(
  log: Log,
  statements: D1PreparedStatement[] | ((d1: D1Database) => Promise<void>),
) {
  const d1 = log.d1;
  const saved = await triggerSql(d1);
  for (const name of TRIGGERS) {
    await d1.prepare(`DROP TRIGGER IF EXISTS ${name}`).run();
  }
  try {
    if (typeof statements === "function") {
      await statements(d1);
    } else {
      for (const s of statements) {
        await s.run();
      }
    }
  } finally {
    for (const sql of saved) {
      await d1.prepare(sql).run();
    }
  }
}

interface Log {
  tenant: TestTenant;
  num: number;
  /** The data shard its log is on. */
  d1: D1Database;
  call: { key: string; app?: FetchApp };
}

/** Where a log's entries are read: its shard, and the control plane for consent keys. */
const readsOf = (log: Log) => ({ data: d1Read(log.d1), control: d1Read(env.DB) });

/**
 * A tenant whose log holds entries from every writer, for profiles p and q: an import, live
 * changes and an event (the lead's writers, through the procedures).
 */
async function loggedTenant(): Promise<Log> {
  const tenant = await createTenant({ consents: DEMO_CONSENTS });
  const call = { key: tenant.secretKey };
  expectOk(
    await mutate(
      "admin.profiles.import",
      {
        items: [
          { profileId: "p", consent: "sms", status: "accepted", changedAt: daysAgo(30) },
          { profileId: "q", consent: "sms", status: "refused", changedAt: daysAgo(20) },
        ],
      },
      call,
    ),
  );
  for (const [profileId, consent, status] of [
    ["p", "newsletter", "accepted"],
    ["q", "newsletter", "accepted"],
    ["p", "sms", "refused"],
    ["q", "newsletter", "refused"],
  ] as const) {
    expectOk(await mutate("profile.update", { profileId, changes: [{ consent, status }] }, call));
  }
  expectOk(
    await mutate(
      "events.track",
      { events: [{ profileId: "p", type: "order_placed", occurredAt: new Date().toISOString() }] },
      call,
    ),
  );
  const { num, db: d1 } = await soleShardOf(tenant.tenantId);
  return { tenant, num, d1, call };
}

async function checkpointOf(log: Log): Promise<Checkpoint> {
  return expectOk(await query<Checkpoint>("admin.proof.checkpoint", undefined, log.call));
}

async function verify(log: Log, profileId: string): Promise<Verify> {
  return expectOk(await query<Verify>("admin.profiles.verify", { profileId }, log.call));
}

async function proofOf(log: Log, profileId: string): Promise<ProofDocument> {
  return expectOk(await query<ProofDocument>("admin.profiles.proof", { profileId }, log.call));
}

function audit(log: Log, kept: string[] = []) {
  return auditTenant(
    { db, data: createDb(log.d1), tenantId: log.tenant.tenantId, tenantNum: log.num, slot: 0 },
    keys,
    kept,
  );
}

/** The log indices of a profile's entries, oldest first. */
async function indicesOf(log: Log, profileId: string): Promise<number[]> {
  const { results } = await log.d1
    .prepare(
      `SELECT e.idx FROM entry AS e JOIN profile AS p ON p.id = e.profile
     WHERE p.tenant = ?1 AND p.external_id = ?2 ORDER BY e.idx`,
    )
    .bind(log.num, profileId)
    .all<{ idx: number }>();
  return results.map((r) => r.idx);
}

async function entryCount(log: Log): Promise<number> {
  const row = await log.d1
    .prepare("SELECT count(*) AS n FROM entry WHERE tenant = ?")
    .bind(log.num)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const kinds = (problems: Problem[]) => problems.map((p) => p.kind);

/** The tiles of the tree of the log's current rows, as an insider would rebuild them. */
async function rebuiltTiles(log: Log): Promise<{ tiles: Tile[]; root: Uint8Array; size: number }> {
  const rows = await readEntryRows(readsOf(log), log.num, 0, 1_000_000);
  const leaves = rows.map((r) => rowLeafHash(r) as Uint8Array);
  const empty: ReadTile = async () => undefined;
  const { tiles } = await appendToTiles(0, leaves, empty);
  const map = new Map(tiles.map((t) => [`${t.level}/${t.index}`, t.hashes]));
  const root = await treeRoot(leaves.length, async (l, i) => map.get(`${l}/${i}`));
  return { tiles, root, size: leaves.length };
}

/** Replaces the stored tree and checkpoints with these (an insider's consistent rewrite). */
async function writeTree(
  d1: D1Database,
  log: Log,
  tree: { tiles: Tile[]; root: Uint8Array; size: number },
  notes: { size: number; note: string }[],
) {
  await d1.prepare("DELETE FROM tile WHERE tenant = ?").bind(log.num).run();
  for (const t of tree.tiles) {
    await d1
      .prepare("INSERT INTO tile (tenant, level, idx, hashes) VALUES (?, ?, ?, unhex(?))")
      .bind(log.num, t.level, t.index, encodeHex(t.hashes))
      .run();
  }
  await d1
    .prepare("UPDATE log_tree SET size = ?2, root = unhex(?3) WHERE tenant = ?1")
    .bind(log.num, tree.size, encodeHex(tree.root))
    .run();
  await d1.prepare("DELETE FROM checkpoint WHERE tenant = ?").bind(log.num).run();
  for (const { size, note } of notes) {
    await d1
      .prepare("INSERT INTO checkpoint (tenant, size, note, signed_at) VALUES (?, ?, ?, ?)")
      .bind(log.num, size, note, Date.now())
      .run();
  }
}

describe("the transparency log (R11)", () => {
  it("R11: sealing integrates every entry and signs a checkpoint the verifier key opens", async () => {
    const log = await loggedTenant();
    const current = await checkpointOf(log);
    const total = await entryCount(log);
    expect(current.treeSize).toBe(total);
    expect(current.verifierKey).toBe(await keys.verifierKey());
    const opened = await openCheckpoint(
      current.checkpoint,
      [current.verifierKey],
      `lapse.test/${log.tenant.tenantId}`,
    );
    expect(opened.ok).toBe(true);
    // The root is the RFC 6962 root of the entries' leaves, recomputed here from the rows.
    const rows = await readEntryRows(readsOf(log), log.num, 0, total);
    const root = rootOfLeaves(rows.map((r) => rowLeafHash(r) as Uint8Array));
    expect(decodeBase64(current.rootHash)).toEqual(root);
    const tree = await log.d1
      .prepare("SELECT size FROM log_tree WHERE tenant = ?")
      .bind(log.num)
      .first<{ size: number }>();
    expect(tree?.size).toBe(total);
    // Nothing tampered: both checks pass.
    expect(await verify(log, "p")).toMatchObject({ ok: true, problems: [] });
    expect(await audit(log)).toMatchObject({ ok: true, treeSize: total, problems: [] });
  });

  it("R11: the minute cron seals every tenant with new entries; a held lease makes a sealer wait", async () => {
    const log = await loggedTenant();
    await handlersScheduled("* * * * *");
    const total = await entryCount(log);
    const stored = await log.d1
      .prepare("SELECT max(size) AS size FROM checkpoint WHERE tenant = ?")
      .bind(log.num)
      .first<{ size: number }>();
    expect(stored?.size).toBe(total);

    // Another sealer holds the tenant's lease: this one writes nothing and says it is busy.
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p", changes: [{ consent: "newsletter", status: "refused" }] },
        log.call,
      ),
    );
    await log.d1
      .prepare("INSERT INTO expiry_lease (name, holder, expires_at) VALUES (?, ?, ?)")
      .bind(sealLeaseName(log.num), "someone-else", Date.now() + 60_000)
      .run();
    const outcome = await sealTenant(
      { data: createDb(log.d1), db },
      keys,
      { num: log.num, id: log.tenant.tenantId, slot: 0 },
      { clock: Date.now },
    );
    expect(outcome.status).toBe("busy");
    await log.d1
      .prepare("DELETE FROM expiry_lease WHERE name = ?")
      .bind(sealLeaseName(log.num))
      .run();
    expect((await checkpointOf(log)).treeSize).toBe(await entryCount(log));
  });

  it("R11: the nightly run seals at its end (admin.runs.trigger)", async () => {
    const log = await loggedTenant();
    expectOk(await mutate("admin.runs.trigger", { asOf: daysAgo(1) }, log.call));
    const tree = await log.d1
      .prepare("SELECT size FROM log_tree WHERE tenant = ?")
      .bind(log.num)
      .first<{ size: number }>();
    expect(tree?.size).toBe(await entryCount(log));
  });

  it("R11: admin.profiles.proof verifies offline with verifyProofDocument; a changed entry fails it", async () => {
    const log = await loggedTenant();
    const doc = await proofOf(log, "p");
    expect(doc.format).toBe("lapse-proof/2");
    expect(doc.entries.map((e) => e.index)).toEqual(await indicesOf(log, "p"));
    const verified = await verifyProofDocument(doc, await keys.verifierKey());
    expect(verified).toMatchObject({ ok: true, problems: [], entries: doc.entries.length });
    // One flipped bit in one entry's bytes: its inclusion proof no longer leads to the root.
    const bytes = decodeBase64(doc.entries[1]?.entry ?? "") as Uint8Array;
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    const { encodeBase64 } = await import("@lapse/proof");
    const changed = structuredClone(doc);
    (changed.entries[1] as { entry: string }).entry = encodeBase64(bytes);
    const refused = await verifyProofDocument(changed, await keys.verifierKey());
    expect(refused.ok).toBe(false);
    expect(kinds(refused.problems as Problem[])).toContain("inclusion");
    // A profile never seen has no document.
    expectError(
      await query("admin.profiles.proof", { profileId: "nobody" }, log.call),
      404,
      "NOT_FOUND",
    );
  });

  it("R11: admin.proof.consistency proves a kept checkpoint's tree is a prefix of today's", async () => {
    const log = await loggedTenant();
    const kept = await checkpointOf(log);
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "r", changes: [{ consent: "newsletter", status: "accepted" }] },
        log.call,
      ),
    );
    const today = await checkpointOf(log);
    expect(today.treeSize).toBeGreaterThan(kept.treeSize);
    const answer = expectOk(
      await query<{ from: number; to: number; proof: string[] }>(
        "admin.proof.consistency",
        { from: kept.treeSize },
        log.call,
      ),
    );
    expect(answer).toMatchObject({ from: kept.treeSize, to: today.treeSize });
    const proof = answer.proof.map((h) => decodeBase64(h) as Uint8Array);
    const oldRoot = decodeBase64(kept.rootHash) as Uint8Array;
    const newRoot = decodeBase64(today.rootHash) as Uint8Array;
    expect(verifyConsistency(kept.treeSize, today.treeSize, proof, oldRoot, newRoot)).toBe(true);
    expect(verifyConsistency(kept.treeSize, today.treeSize, proof, newRoot, newRoot)).toBe(false);
    // The caller's mistakes are 400s that say what is wrong.
    const bad = async (input: unknown) =>
      expectError(await query("admin.proof.consistency", input, log.call), 400, "BAD_REQUEST");
    expect((await bad({ from: 3, to: 2 })).message).toMatch(/larger than/);
    expect((await bad({ from: 1, to: today.treeSize + 1 })).message).toMatch(/holds/);
    await bad({ from: -1 });
    expect((await bad({ from: 0 })).message).toMatch(/size 0/);
  });

  it("R11: an entry's field edited is found and named, at its index", async () => {
    const log = await loggedTenant();
    await checkpointOf(log);
    const [, second] = await indicesOf(log, "p");
    await insider(log, [
      log.d1
        .prepare(
          "UPDATE entry SET to_status = CASE to_status WHEN 1 THEN 2 ELSE 1 END WHERE tenant = ? AND idx = ?",
        )
        .bind(log.num, second),
    ]);
    const verified = await verify(log, "p");
    expect(verified.ok).toBe(false);
    expect(verified.problems).toEqual([expect.objectContaining({ kind: "edited", index: second })]);
    expect((await audit(log)).problems).toEqual([
      expect.objectContaining({ kind: "edited", index: second }),
    ]);
  });

  for (const which of ["first", "middle", "newest"] as const) {
    it(`R11: the ${which} entry deleted is found and named`, async () => {
      const log = await loggedTenant();
      await checkpointOf(log);
      const total = await entryCount(log);
      const idx = which === "first" ? 0 : which === "middle" ? Math.floor(total / 2) : total - 1;
      const owner = await log.d1
        .prepare(
          "SELECT p.external_id AS id FROM entry AS e JOIN profile AS p ON p.id = e.profile WHERE e.tenant = ? AND e.idx = ?",
        )
        .bind(log.num, idx)
        .first<{ id: string }>();
      await insider(log, [
        log.d1.prepare("DELETE FROM entry WHERE tenant = ? AND idx = ?").bind(log.num, idx),
      ]);
      const verified = await verify(log, owner?.id ?? "p");
      expect(verified.ok).toBe(false);
      expect(verified.problems).toContainEqual(
        expect.objectContaining({ kind: "missing", index: idx }),
      );
      expect((await audit(log)).problems).toEqual([
        expect.objectContaining({ kind: "missing", index: idx }),
      ]);
    });
  }

  it("R11: an entry deleted and the later ones renumbered to hide the hole is found", async () => {
    const log = await loggedTenant();
    await checkpointOf(log);
    const [, second] = await indicesOf(log, "p");
    await insider(log, [
      log.d1.prepare("DELETE FROM entry WHERE tenant = ? AND idx = ?").bind(log.num, second),
      log.d1
        .prepare("UPDATE entry SET idx = idx + 1000000 WHERE tenant = ? AND idx > ?")
        .bind(log.num, second),
      log.d1
        .prepare("UPDATE entry SET idx = idx - 1000001 WHERE tenant = ? AND idx > 1000000")
        .bind(log.num),
    ]);
    expect(kinds((await verify(log, "p")).problems)).toContain("missing");
    expect((await audit(log)).problems).toEqual([
      expect.objectContaining({ kind: "missing", index: second }),
    ]);
  });

  it("R11: two entries re-ordered are found and named", async () => {
    const log = await loggedTenant();
    await checkpointOf(log);
    const [, a, b] = await indicesOf(log, "p");
    await insider(log, [
      log.d1.prepare("UPDATE entry SET idx = -1 WHERE tenant = ? AND idx = ?").bind(log.num, a),
      log.d1.prepare("UPDATE entry SET idx = ? WHERE tenant = ? AND idx = ?").bind(a, log.num, b),
      log.d1.prepare("UPDATE entry SET idx = ? WHERE tenant = ? AND idx = -1").bind(b, log.num),
    ]);
    const verified = await verify(log, "p");
    expect(verified.problems).toEqual([expect.objectContaining({ kind: "reordered" })]);
    expect((await audit(log)).problems).toEqual([
      expect.objectContaining({ kind: "reordered", index: a }),
    ]);
  });

  it("R11: an entry inserted in the middle is found and named", async () => {
    const log = await loggedTenant();
    await checkpointOf(log);
    const [, at] = await indicesOf(log, "p");
    await insider(log, [
      log.d1
        .prepare("UPDATE entry SET idx = idx + 1000000 WHERE tenant = ? AND idx >= ?")
        .bind(log.num, at),
      log.d1
        .prepare("UPDATE entry SET idx = idx - 999999 WHERE tenant = ? AND idx >= 1000000")
        .bind(log.num),
      // A refusal that never happened, written as the writers write.
      log.d1
        .prepare(
          `INSERT INTO entry (tenant, idx, kind, profile, consent, version, from_status, to_status,
           reason, actor, occurred_at, recorded_at)
         SELECT tenant, ?2, kind, profile, consent, version, to_status, 2, reason, actor,
           occurred_at, recorded_at FROM entry WHERE tenant = ?1 AND idx = ?2 + 1`,
        )
        .bind(log.num, at),
    ]);
    const verified = await verify(log, "p");
    expect(verified.problems).toContainEqual(
      expect.objectContaining({ kind: "inserted", index: at }),
    );
    expect((await audit(log)).problems).toEqual([
      expect.objectContaining({ kind: "inserted", index: at }),
    ]);
  });

  it("R11: the log truncated with its tree and checkpoints is caught against a checkpoint kept earlier", async () => {
    const log = await loggedTenant();
    const early = await checkpointOf(log);
    const tilesThen = await log.d1
      .prepare("SELECT level, idx, hex(hashes) AS hashes FROM tile WHERE tenant = ?")
      .bind(log.num)
      .all<{ level: number; idx: number; hashes: string }>();
    for (const profileId of ["r", "s"]) {
      expectOk(
        await mutate(
          "profile.update",
          { profileId, changes: [{ consent: "newsletter", status: "accepted" }] },
          log.call,
        ),
      );
    }
    const kept = await checkpointOf(log);
    expect(kept.treeSize).toBeGreaterThan(early.treeSize);
    // Back to the early state, consistently: entries, tiles, tree row and checkpoints.
    await insider(log, async (d1) => {
      await d1
        .prepare("DELETE FROM entry WHERE tenant = ? AND idx >= ?")
        .bind(log.num, early.treeSize)
        .run();
      await d1.prepare("DELETE FROM tile WHERE tenant = ?").bind(log.num).run();
      for (const t of tilesThen.results) {
        await d1
          .prepare("INSERT INTO tile (tenant, level, idx, hashes) VALUES (?, ?, ?, unhex(?))")
          .bind(log.num, t.level, t.idx, t.hashes)
          .run();
      }
      await d1
        .prepare("UPDATE log_tree SET size = ?2, root = ?3 WHERE tenant = ?1")
        .bind(log.num, early.treeSize, decodeBase64(early.rootHash))
        .run();
      await d1
        .prepare("DELETE FROM checkpoint WHERE tenant = ? AND size > ?")
        .bind(log.num, early.treeSize)
        .run();
    });
    // Consistent in itself: only a checkpoint kept outside the database shows it.
    expect(await audit(log)).toMatchObject({ ok: true });
    const caught = await audit(log, [kept.checkpoint]);
    expect(kinds(caught.problems)).toContain("truncated");
  });

  it("R11: the log and tree rewritten consistently without the key are caught (signature, and a kept checkpoint)", async () => {
    const log = await loggedTenant();
    const kept = await checkpointOf(log);
    const [, second] = await indicesOf(log, "p");
    const forger = await generateSignerKey("lapse.test");
    await insider(log, async (d1) => {
      await d1
        .prepare(
          "UPDATE entry SET to_status = CASE to_status WHEN 1 THEN 2 ELSE 1 END WHERE tenant = ? AND idx = ?",
        )
        .bind(log.num, second)
        .run();
      const tree = await rebuiltTiles(log);
      const note = await signCheckpoint(
        { origin: `lapse.test/${log.tenant.tenantId}`, size: tree.size, root: tree.root },
        forger.signerKey,
      );
      await writeTree(d1, log, tree, [{ size: tree.size, note }]);
    });
    const verified = await verify(log, "p");
    expect(verified.ok).toBe(false);
    expect(kinds(verified.problems)).toEqual(["signature"]);
    const audited = await audit(log, [kept.checkpoint]);
    expect(kinds(audited.problems)).toEqual(expect.arrayContaining(["signature", "inconsistent"]));
    // The proof document of the forged log fails offline as well.
    const doc = await proofOf(log, "p");
    expect(
      kinds((await verifyProofDocument(doc, kept.verifierKey)).problems as Problem[]),
    ).toContain("signature");
  });

  it("R11: a checkpoint replaced by an older one is a rollback, caught against a checkpoint kept earlier", async () => {
    const log = await loggedTenant();
    const older = await checkpointOf(log);
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "r", changes: [{ consent: "newsletter", status: "accepted" }] },
        log.call,
      ),
    );
    const kept = await checkpointOf(log);
    await insider(log, [
      log.d1
        .prepare("UPDATE checkpoint SET note = ? WHERE tenant = ? AND size = ?")
        .bind(older.checkpoint, log.num, kept.treeSize),
    ]);
    expect(kinds((await verify(log, "p")).problems)).toContain("rollback");
    expect(kinds((await audit(log, [kept.checkpoint])).problems)).toContain("rollback");
  });

  it("R11: two profiles' keys swapped break their bindings", async () => {
    const log = await loggedTenant();
    await checkpointOf(log);
    await insider(log, [
      log.d1
        .prepare("UPDATE profile SET external_id = 'swap' WHERE tenant = ? AND external_id = 'p'")
        .bind(log.num),
      log.d1
        .prepare("UPDATE profile SET external_id = 'p' WHERE tenant = ? AND external_id = 'q'")
        .bind(log.num),
      log.d1
        .prepare("UPDATE profile SET external_id = 'q' WHERE tenant = ? AND external_id = 'swap'")
        .bind(log.num),
    ]);
    for (const profileId of ["p", "q"]) {
      const verified = await verify(log, profileId);
      expect(kinds(verified.problems)).toEqual(["binding"]);
      const offline = await verifyProofDocument(
        await proofOf(log, profileId),
        await keys.verifierKey(),
      );
      expect(kinds(offline.problems as Problem[])).toContain("binding");
    }
  });

  it("R11: key rotation: the new key signs from its first checkpoint, the old verifier key stays listed", async () => {
    const log = await loggedTenant();
    const before = await proofOf(log, "p");
    const oldVerifier = await keys.verifierKey();
    const fresh = await generateSignerKey("lapse.test");
    const rotatedEnv = {
      ...env,
      PROOF_SIGNING_KEY: fresh.signerKey,
      PROOF_VERIFIER_KEYS: oldVerifier,
    };
    const base = createApp();
    const app: FetchApp = { fetch: (request) => base.fetch(request, rotatedEnv) };
    const rotated = { ...log, call: { key: log.tenant.secretKey, app } };
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p", changes: [{ consent: "newsletter", status: "refused" }] },
        rotated.call,
      ),
    );
    const now = await checkpointOf(rotated);
    expect(now.verifierKey).toBe(fresh.verifierKey);
    const origin = `lapse.test/${log.tenant.tenantId}`;
    expect((await openCheckpoint(now.checkpoint, [fresh.verifierKey], origin)).ok).toBe(true);
    expect((await openCheckpoint(now.checkpoint, [oldVerifier], origin)).ok).toBe(false);
    const wellKnown = await send(new Request("https://api.test/.well-known/lapse-proof-key"), app);
    expect(wellKnown.status).toBe(200);
    expect(wellKnown.headers.get("Content-Type")).toMatch(/^text\/plain/);
    const listed = (await wellKnown.text()).trim().split("\n");
    expect(listed).toEqual([fresh.verifierKey, oldVerifier]);
    // A document kept from before the rotation verifies with the listed keys; so does today's.
    expect((await verifyProofDocument(before, listed)).ok).toBe(true);
    expect((await verifyProofDocument(await proofOf(rotated, "p"), listed)).ok).toBe(true);
    // The default worker still serves its own (unrotated) key.
    const own = await send(new Request("https://api.test/.well-known/lapse-proof-key"));
    expect((await own.text()).trim()).toBe(oldVerifier);
  });

  it("R11: a missing signing key fails loudly, naming the secret", async () => {
    const broken = { ...env, PROOF_SIGNING_KEY: "" };
    await expect(proofKeysOf(broken).signer()).rejects.toThrow(
      /PROOF_SIGNING_KEY is not set.*wrangler secret put PROOF_SIGNING_KEY/,
    );
    expect(() => proofKeysOf({ ...env, ERASURE_KEY: "c2hvcnQ=" }).erasureKey()).toThrow(
      /ERASURE_KEY is malformed/,
    );
  });
});

async function handlersScheduled(cron: string) {
  const handlers = worker as Required<Pick<ExportedHandler<Env>, "scheduled">>;
  await handlers.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron }),
    env,
    createExecutionContext(),
  );
}
