// The physical anchor of the nightly run (issue 13): raw SQLite (node:sqlite, no Worker, no
// D1) doing the minimum a lapse must do — flip each due state and append one history line — in
// chunks of 5,000, one transaction per chunk, WAL + synchronous=NORMAL (as D1's local file), on
// the bench's shape of data (`--states` accepted states, 4 consents a profile, 25 % due). The
// SQL is that of `../shared/bench/limit-sqlite.mjs` (the research's script), unchanged but for
// the size, so that the two give the same figure: "wide" has text ids and a hex hash per line
// like Lapse v1, "compact" integer keys and no hash. The bench divides its own night by the
// compact figure measured here, in the same run.
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Bench, fmt } from "./bench.ts";

const CHUNK = 5000;
const DUE_DAY = 20000;

export interface LimitRun {
  expired: number;
  ms: number;
  statesPerSecond: number;
  /** Pages after the load divided by states. */
  bytesPerState: number;
  /** Pages added by the night divided by lines appended. */
  bytesPerLine: number;
}

export interface LimitFigures {
  states: number;
  wide: LimitRun;
  compact: LimitRun;
}

function run(
  dir: string,
  name: string,
  n: number,
  ddl: string,
  load: string,
  chunk: (db: DatabaseSync) => number,
): LimitRun {
  const file = path.join(dir, `limit-${name}.sqlite`);
  for (const suffix of ["", "-wal", "-shm"]) {
    rmSync(file + suffix, { force: true });
  }
  const db = new DatabaseSync(file);
  const size = () =>
    (
      db
        .prepare("SELECT page_count * page_size AS b FROM pragma_page_count, pragma_page_size")
        .get() as { b: number }
    ).b;
  try {
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    db.exec(ddl);
    db.exec("BEGIN");
    db.exec(load);
    db.exec("COMMIT");
    const sizeBefore = size();
    const t0 = performance.now();
    let expired = 0;
    let done: number;
    do {
      db.exec("BEGIN");
      done = chunk(db);
      db.exec("COMMIT");
      expired += done;
    } while (done === CHUNK);
    const ms = performance.now() - t0;
    const sizeAfter = size();
    return {
      expired,
      ms,
      statesPerSecond: (expired / ms) * 1000,
      bytesPerState: sizeBefore / n,
      bytesPerLine: (sizeAfter - sizeBefore) / Math.max(1, expired),
    };
  } finally {
    db.close();
    for (const suffix of ["", "-wal", "-shm"]) {
      rmSync(file + suffix, { force: true });
    }
  }
}

/** Both schemas at `states` states (4 per profile), in `bench.work`. */
export function measureLimit(bench: Bench): LimitFigures {
  const P = Math.ceil(bench.opts.states / 4);
  const N = P * 4;
  const gen = `WITH RECURSIVE p(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM p WHERE i < ${P - 1}), c(j) AS (VALUES (0),(1),(2),(3))`;
  const due = "(abs((i*4+j)*2654435761 % 1000) < 250)";
  const wide = run(
    bench.work,
    "wide",
    N,
    `
CREATE TABLE consent_state (tenant_id TEXT NOT NULL, profile_id TEXT NOT NULL, consent_id TEXT NOT NULL, status TEXT NOT NULL, status_changed_at INTEGER NOT NULL, last_activity_day INTEGER, expired_at INTEGER, PRIMARY KEY (tenant_id, profile_id, consent_id));
CREATE INDEX due ON consent_state (tenant_id, consent_id, last_activity_day, profile_id) WHERE status = 'accepted';
CREATE TABLE consent_history (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, profile_id TEXT NOT NULL, consent_id TEXT NOT NULL, from_status TEXT, to_status TEXT, reason TEXT, actor TEXT, occurred_at INTEGER, recorded_at INTEGER, hash TEXT);
CREATE INDEX hp ON consent_history (tenant_id, profile_id, seq);`,
    `INSERT INTO consent_state ${gen} SELECT 'ten_aaaaaaaaaaaaaaaaaaaa', 'cust-' || i, 'con_aaaaaaaaaaaaaaaaaaa' || j, 'accepted', 0, CASE WHEN ${due} THEN ${DUE_DAY} - 1 - (i % 300) ELSE ${DUE_DAY} + 8 + (i % 300) END, NULL FROM p, c;`,
    (db) => {
      // Per row, as Lapse v1's statements did: the due scan, then a primary-key flip and a
      // history line with its SHA-256 for each state.
      const rows = db
        .prepare(
          `SELECT consent_id, profile_id FROM consent_state WHERE tenant_id='ten_aaaaaaaaaaaaaaaaaaaa' AND consent_id IN ('con_aaaaaaaaaaaaaaaaaaa0','con_aaaaaaaaaaaaaaaaaaa1','con_aaaaaaaaaaaaaaaaaaa2','con_aaaaaaaaaaaaaaaaaaa3') AND status='accepted' AND last_activity_day <= ${DUE_DAY} LIMIT ${CHUNK}`,
        )
        .all() as { consent_id: string; profile_id: string }[];
      const ins = db.prepare(
        `INSERT INTO consent_history (tenant_id, profile_id, consent_id, from_status, to_status, reason, actor, occurred_at, recorded_at, hash) VALUES ('ten_aaaaaaaaaaaaaaaaaaaa', ?, ?, 'accepted', 'unknown', 'expired', 'cron:run_x', 1, 1, ?)`,
      );
      const up = db.prepare(
        `UPDATE consent_state SET status='unknown', expired_at=1 WHERE tenant_id='ten_aaaaaaaaaaaaaaaaaaaa' AND profile_id=? AND consent_id=?`,
      );
      for (const r of rows) {
        up.run(r.profile_id, r.consent_id);
        ins.run(
          r.profile_id,
          r.consent_id,
          createHash("sha256")
            .update(r.profile_id + r.consent_id)
            .digest("hex"),
        );
      }
      return rows.length;
    },
  );
  const compact = run(
    bench.work,
    "compact",
    N,
    `
CREATE TABLE profile (pk INTEGER PRIMARY KEY, ext TEXT NOT NULL UNIQUE);
CREATE TABLE state (pk INTEGER NOT NULL, c INTEGER NOT NULL, status INTEGER NOT NULL, changed_at INTEGER NOT NULL, last_day INTEGER, expired_at INTEGER, PRIMARY KEY (pk, c)) WITHOUT ROWID;
CREATE INDEX due ON state (c, last_day, pk) WHERE status = 1;
CREATE TABLE history (seq INTEGER PRIMARY KEY, pk INTEGER NOT NULL, c INTEGER NOT NULL, from_s INTEGER, to_s INTEGER, reason INTEGER, actor INTEGER, occurred_at INTEGER, recorded_at INTEGER);
CREATE INDEX hp ON history (pk, seq);`,
    `WITH RECURSIVE p(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM p WHERE i < ${P - 1}) INSERT INTO profile SELECT i, 'cust-' || i FROM p;
INSERT INTO state ${gen} SELECT i, j, 1, 0, CASE WHEN ${due} THEN ${DUE_DAY} - 1 - (i % 300) ELSE ${DUE_DAY} + 8 + (i % 300) END, NULL FROM p, c;`,
    (db) => {
      // Set-based: pick a chunk of due keys once, write history from it, flip by primary key.
      db.exec("CREATE TEMP TABLE IF NOT EXISTS chunk (pk INTEGER, c INTEGER); DELETE FROM chunk;");
      db.exec(
        `INSERT INTO chunk SELECT pk, c FROM state WHERE status = 1 AND c IN (0,1,2,3) AND last_day <= ${DUE_DAY} LIMIT ${CHUNK}`,
      );
      const n = (db.prepare("SELECT count(*) AS n FROM chunk").get() as { n: number }).n;
      db.exec(
        "INSERT INTO history (pk, c, from_s, to_s, reason, actor, occurred_at, recorded_at) SELECT pk, c, 1, 0, 4, 1, 1, 1 FROM chunk ORDER BY pk",
      );
      db.exec(
        "UPDATE state SET status = 0, expired_at = 1 WHERE (pk, c) IN (SELECT pk, c FROM chunk)",
      );
      return n;
    },
  );
  for (const [name, r] of [
    ["wide", wide],
    ["compact", compact],
  ] as const) {
    bench.log(
      `limit (raw SQLite, ${name}): ${fmt(r.expired)} expired in ${fmt(r.ms)} ms = ${fmt(r.statesPerSecond)} states/s; ${fmt(r.bytesPerState)} B/state loaded, ${fmt(r.bytesPerLine)} B per expiry line`,
    );
  }
  return { states: N, wide, compact };
}
