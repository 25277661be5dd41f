// Raw SQLite running the nightly run's own code in this process (node:sqlite), on a copy of the
// D1 file taken before any run, while nothing else of the bench runs: what is left of the gap
// to the Worker is D1 and workerd. (The physical limit, doing only the minimum, is limit.ts.)
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { openRaw, type RawRun, rawNight } from "@lapse/api/bench";
import { localD1File } from "@lapse/dev/d1";
import { API_CONFIG, type Bench, fmt, MS_PER_DAY } from "./bench.ts";
import type { Dataset } from "./dataset.ts";

export interface RawFigures {
  night: RawRun;
  quiet: RawRun;
}

export async function measureRawSqlite(bench: Bench, dataset: Dataset): Promise<RawFigures> {
  const source = localD1File(API_CONFIG, bench.persistTo);
  const file = path.join(bench.work, "raw.sqlite");
  copyFileSync(source, file);
  if (existsSync(`${source}-wal`)) {
    copyFileSync(`${source}-wal`, `${file}-wal`);
  }
  const raw = openRaw(file);
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
    raw.close();
  }
}
