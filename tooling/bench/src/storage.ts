// Storage per state and per further history line, as SQLite's `dbstat` counts pages (each
// table with its indexes), on the local file of the bench tenant's data shard (the control
// plane holds none of a state's bytes): once as seeded, once after the nightly run (which
// appended one expiry entry per expired state and sealed them into tiles).
import { DatabaseSync } from "node:sqlite";
import { storageByTable } from "@lapse/api/bench";
import { localD1File } from "@lapse/dev/d1";
import { API_CONFIG, type Bench } from "./bench.ts";

/** The storage-v2 data tables (migrations/data) whose bytes a state and a line are charged. */
export const DATA_TABLES = [
  "profile",
  "state",
  "entry",
  "tile",
  "log_tree",
  "checkpoint",
  "actor",
] as const;
/** What a further history line adds: its entry, its share of the tree and its checkpoints. */
export const LINE_TABLES = ["entry", "tile", "log_tree", "checkpoint", "actor"] as const;

export interface StorageSnapshot {
  /** Bytes (pages) per table with its indexes. */
  byTable: Record<string, number>;
  /** Log entries of the tenant, and status-change entries among them. */
  entries: number;
  statusChanges: number;
}

/** dbstat of the local D1 file of data shard `shard`; nothing else may have it open. */
export function snapshotStorage(
  bench: Bench,
  shard: string,
  layout: { config?: string; persistTo?: string } = {},
): StorageSnapshot {
  const sqlite = new DatabaseSync(
    localD1File(layout.config ?? API_CONFIG, layout.persistTo ?? bench.persistTo, shard),
  );
  try {
    const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
    return {
      byTable: storageByTable(sqlite),
      entries: count("SELECT count(*) AS n FROM entry"),
      statusChanges: count("SELECT count(*) AS n FROM entry WHERE kind = 1"),
    };
  } finally {
    sqlite.close();
  }
}

export interface StorageFigures {
  /** Seeded: every data table's bytes over the states (profile share, first line, proof). */
  bytesPerState: number;
  /** After the night: the growth of the log tables over the entries the night appended. */
  bytesPerHistoryLine: number;
  perState: Record<string, number>;
  perLine: Record<string, number>;
  /** The state table's growth over the night (the flip rewrites rows in place), per line. */
  stateGrowthPerLine: number;
  linesAppended: number;
  loaded: StorageSnapshot;
  afterNight: StorageSnapshot;
  /** All tables of the data shard, MiB, as seeded. */
  totalMiB: number;
}

export function storageFigures(
  states: number,
  loaded: StorageSnapshot,
  afterNight: StorageSnapshot,
): StorageFigures {
  const bytes = (s: StorageSnapshot, table: string) => s.byTable[table] ?? 0;
  const linesAppended = afterNight.entries - loaded.entries;
  const perState = Object.fromEntries(DATA_TABLES.map((t) => [t, bytes(loaded, t) / states]));
  const perLine = Object.fromEntries(
    LINE_TABLES.map((t) => [
      t,
      (bytes(afterNight, t) - bytes(loaded, t)) / Math.max(1, linesAppended),
    ]),
  );
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  return {
    bytesPerState: sum(perState),
    bytesPerHistoryLine: sum(perLine),
    perState,
    perLine,
    stateGrowthPerLine:
      (bytes(afterNight, "state") - bytes(loaded, "state")) / Math.max(1, linesAppended),
    linesAppended,
    loaded,
    afterNight,
    totalMiB: sum(loaded.byTable) / 2 ** 20,
  };
}
