// The seed at small scale, on the real migrations in node:sqlite (a control plane holding the
// tenant and its consents, a data shard the rows): counts, dense leaf indices, bindings that
// open, and a sealed tree whose tiles and root are those of the entries the rows encode
// (recomputed from the columns, as a verifier would).
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { slotOf } from "@lapse/api/bench";
import { provisionTenant } from "@lapse/api/provision";
import * as proof from "@lapse/proof";
import { test } from "vitest";
import {
  applyMigrationFiles,
  dueThreshold,
  isDue,
  MS_PER_DAY,
  profileId,
  readCatalogue,
  seed,
  seedConsents,
} from "./seed.ts";

const ENTRY_KINDS = { 1: "status_change", 2: "profile_binding" } as const;

interface EntryRow {
  idx: number;
  kind: 1 | 2;
  profile: number;
  consent: number;
  version: number;
  from_status: 0 | 1 | 2;
  to_status: 0 | 1 | 2;
  reason: 1 | 2 | 3 | 4 | 5 | 6;
  actor: string;
  occurred_at: number;
  recorded_at: number;
  data: Uint8Array;
  salt: Uint8Array;
  external_id: string;
}

/** A migrated control plane holding one tenant with the bench's four consents. */
async function provisionedControl(runDay: number): Promise<DatabaseSync> {
  const control = new DatabaseSync(":memory:");
  applyMigrationFiles(control, "control");
  const { statements } = await provisionTenant({
    name: "Seed test",
    now: (runDay - 1500) * MS_PER_DAY,
    corsOrigins: [],
    consents: seedConsents(4),
  });
  for (const s of statements) {
    control.prepare(s.sql).run(...s.params);
  }
  return control;
}

test("the seeded log is dense, opens and is sealed", async () => {
  const db = new DatabaseSync(":memory:");
  applyMigrationFiles(db, "data");
  const runDay = Math.floor(Date.now() / MS_PER_DAY);
  const control = await provisionedControl(runDay);
  const { tenant, consents } = readCatalogue(control, 4);
  const profiles = 333; // 333 × 5 = 1,665 entries: 6 full level-0 tiles and a partial one
  const figures = await seed(db, {
    tenant,
    consents,
    profiles,
    runDay,
    due: 0.25,
    history: true,
    actor: "key_bench",
    now: Date.now(),
    slice: 37,
  });
  assert.equal(figures.states, profiles * 4);
  assert.equal(figures.entries, profiles * 5);
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  assert.equal(count("SELECT count(*) AS n FROM profile"), profiles);
  assert.equal(count("SELECT count(*) AS n FROM state WHERE status = 1"), profiles * 4);
  assert.equal(count("SELECT count(*) AS n FROM entry WHERE kind = 2"), profiles);
  assert.equal(count("SELECT max(idx) + 1 - count(*) AS n FROM entry"), 0);

  // Due at T exactly as the hash says, and as the nightly scan will find them.
  const threshold = dueThreshold(0.25);
  let due = 0;
  for (let g = 0; g < profiles * 4; g++) {
    due += isDue(g, threshold) ? 1 : 0;
  }
  assert.equal(figures.due, due);
  const scanned = consents.reduce(
    (n, c) =>
      n +
      (
        db
          .prepare(
            "SELECT count(*) AS n FROM state WHERE consent = ? AND status = 1 AND activity_day <= ?",
          )
          .get(c.num, runDay - c.days) as { n: number }
      ).n,
    0,
  );
  assert.equal(scanned, due);
  // Nothing due the next seven nights.
  const later = consents.reduce(
    (n, c) =>
      n +
      (
        db
          .prepare(
            "SELECT count(*) AS n FROM state WHERE consent = ? AND status = 1 AND activity_day > ? AND activity_day <= ?",
          )
          .get(c.num, runDay - c.days, runDay + 7 - c.days) as { n: number }
      ).n,
    0,
  );
  assert.equal(later, 0);

  // Every entry rebuilt from its columns, as the sealing job and a verifier read them.
  const keyByNum = new Map(consents.map((c) => [c.num, c.key]));
  const rows = db
    .prepare(
      `SELECT e.idx, e.kind, e.profile, e.consent, e.version, e.from_status, e.to_status,
         e.reason, a.name AS actor, e.occurred_at, e.recorded_at, e.data, p.salt, p.external_id
       FROM entry AS e JOIN profile AS p ON p.id = e.profile
       LEFT JOIN actor AS a ON a.id = e.actor ORDER BY e.idx`,
    )
    .all() as unknown as EntryRow[];
  const leaves = rows.map((r): Uint8Array => {
    const kind = ENTRY_KINDS[r.kind];
    if (kind === "profile_binding") {
      assert.deepEqual(
        new Uint8Array(r.data),
        proof.profileCommitment(new Uint8Array(r.salt), r.external_id),
      );
      return proof.entryLeafHash({
        kind,
        profile: r.profile,
        commitment: new Uint8Array(r.data),
        recordedAt: r.recorded_at,
      });
    }
    return proof.entryLeafHash({
      kind,
      profile: r.profile,
      consent: keyByNum.get(r.consent) as string,
      consentVersion: r.version,
      from: proof.STATUS_BY_CODE[r.from_status],
      to: proof.STATUS_BY_CODE[r.to_status],
      reason: proof.REASON_BY_CODE[r.reason],
      actor: r.actor,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
    });
  });
  const tree = db.prepare("SELECT size, root FROM log_tree WHERE tenant = ?").get(tenant) as {
    size: number;
    root: Uint8Array;
  };
  assert.equal(tree.size, leaves.length);
  assert.deepEqual(new Uint8Array(tree.root), proof.rootOfLeaves(leaves));
  const tile0 = db
    .prepare("SELECT hashes FROM tile WHERE tenant = ? AND level = 0 ORDER BY idx")
    .all(tenant) as { hashes: Uint8Array }[];
  assert.deepEqual(
    new Uint8Array(Buffer.concat(tile0.map((t) => t.hashes))),
    proof.concatByteList(leaves),
  );
  // An inclusion proof from the stored tiles checks against the root.
  const readTile: proof.ReadTile = async (level, index) =>
    (
      db
        .prepare("SELECT hashes FROM tile WHERE tenant = ? AND level = ? AND idx = ?")
        .get(tenant, level, index) as { hashes: Uint8Array } | undefined
    )?.hashes;
  const index = 1_000;
  const path = await proof.inclusionProof(index, tree.size, readTile);
  assert.ok(
    proof.verifyInclusion(
      leaves[index] as Uint8Array,
      index,
      tree.size,
      path,
      new Uint8Array(tree.root),
    ),
  );
  db.close();
  control.close();
});

test("a tenant's profiles split by slot seed the same states, due ones included, once each", async () => {
  const runDay = Math.floor(Date.now() / MS_PER_DAY);
  const control = await provisionedControl(runDay);
  const { tenant, tenantId, consents } = readCatalogue(control, 4);
  const profiles = 200;
  const spec = {
    tenant,
    consents,
    profiles,
    runDay,
    due: 0.25,
    history: true,
    actor: "key_bench",
    now: Date.now(),
  };
  const whole = await seed(applied(), spec);
  const parts = [0, 1, 2, 3].map(() => applied());
  const figures = await Promise.all(
    parts.map((db, slot) =>
      seed(db, { ...spec, keep: (i) => slotOf(tenantId, profileId(i), 4) === slot }),
    ),
  );
  const sum = (key: "profiles" | "states" | "due") => figures.reduce((n, f) => n + f[key], 0);
  assert.equal(sum("profiles"), profiles);
  assert.equal(sum("states"), whole.states);
  assert.equal(sum("due"), whole.due);
  // Each slot's log is dense from 0 and names only that slot's profiles.
  parts.forEach((db, slot) => {
    const ids = db.prepare("SELECT external_id FROM profile").all() as { external_id: string }[];
    assert.ok(ids.every((p) => slotOf(tenantId, p.external_id, 4) === slot));
    const gap = db.prepare("SELECT max(idx) + 1 - count(*) AS n FROM entry").get() as { n: number };
    assert.equal(gap.n, 0);
  });
});

function applied(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  applyMigrationFiles(db, "data");
  return db;
}
