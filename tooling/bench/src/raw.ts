// Raw SQLite running the nightly run's own code in this process (node:sqlite), on copies of the
// D1 files (the control plane and every data shard) taken before any run, while nothing else of
// the bench runs: what is left of the gap to the Worker is D1 and workerd. (The physical limit,
// doing only the minimum, is limit.ts.)
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openRaw, type RawRun, rawNight } from "@lapse/api/bench";
import { localD1File } from "@lapse/dev/d1";
import { migratedD1Bindings } from "@lapse/dev/wrangler";
import { API_CONFIG, type Bench, fmt, MS_PER_DAY } from "./bench.ts";
import type { Dataset } from "./dataset.ts";

export interface RawFigures {
  night: RawRun;
  quiet: RawRun;
}

/** A copy of the local D1 file of `binding`, opened for the raw run. */
function rawCopy(bench: Bench, binding: string): DatabaseSync {
  const source = localD1File(API_CONFIG, bench.persistTo, binding);
  const file = path.join(bench.work, `raw-${binding}.sqlite`);
  copyFileSync(source, file);
  if (existsSync(`${source}-wal`)) {
    copyFileSync(`${source}-wal`, `${file}-wal`);
  }
  return openRaw(file);
}

export async function measureRawSqlite(bench: Bench, dataset: Dataset): Promise<RawFigures> {
  // Every data shard, as the Worker binds them: the run measures each shard's size.
  const shards = migratedD1Bindings({ config: API_CONFIG }).filter((b) => b !== "DB");
  const raw = {
    control: rawCopy(bench, "DB"),
    shards: Object.fromEntries(shards.map((binding) => [binding, rawCopy(bench, binding)])),
  };
  try {
    const night = await rawNight(raw, bench.T, bench.opts.chunkSize);
    const quiet = await rawNight(raw, bench.T + MS_PER_DAY, bench.opts.chunkSize);
    bench.log(
      `raw SQLite: ${fmt(night.expired)} expired in ${fmt(night.chunks)} chunks, ${fmt(night.ms)} ms; nothing-due night ${fmt(quiet.ms, 1)} ms`,
    );
    if (night.expired !== dataset.expectedDue) {
      bench.log(`WARNING: ${fmt(dataset.expectedDue)} states were generated due at T`);
    }
    return { night, quiet };
  } finally {
    for (const sqlite of [raw.control, ...Object.values(raw.shards)]) {
      sqlite.close();
    }
  }
}
