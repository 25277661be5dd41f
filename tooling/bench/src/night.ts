// The nightly run through the real cron path: the night at T, with a quarter (by default) of
// the states due, then the night after, with nothing due. A run's time is the scheduled
// handler's, from the trigger to its answer (`httpMs`): the expiry and the seal that ends it.
import { type Bench, type BenchServer, type Cpu, fmt, MS_PER_DAY, withCpu } from "./bench.ts";
import type { Dataset } from "./dataset.ts";

/** The latest run at `scheduledAt`, its per-consent figures summed: the Worker's own record. */
export interface RunRecord {
  id: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  consents: number;
  expired: number;
  chunks: number;
  rows_read: number;
  rows_written: number;
  /** finished_at - started_at. */
  ms: number;
}

/**
 * Reads the run recorded for `scheduledAt` (in the layout `where` names: the bench's own by
 * default); throws unless it succeeded. A consent of a tenant on S shards has S rows in
 * expiry_run_consent, one per shard: `consents` counts consents, not rows.
 */
export async function readRun(
  bench: Bench,
  scheduledAt: number,
  where: { persistTo?: string; config?: string } = {},
): Promise<RunRecord> {
  const [row] = await bench.query(
    (db) =>
      db.all<Omit<RunRecord, "ms">>({
        sql: `SELECT r.id, r.status, r.started_at, r.finished_at, COUNT(DISTINCT c.consent_id) AS consents,
           COALESCE(SUM(c.expired), 0) AS expired, COALESCE(SUM(c.chunks), 0) AS chunks,
           COALESCE(SUM(c.rows_read), 0) AS rows_read,
           COALESCE(SUM(c.rows_written), 0) AS rows_written
         FROM expiry_run AS r LEFT JOIN expiry_run_consent AS c ON c.run_id = r.id
         WHERE r.scheduled_at = ?1 GROUP BY r.id ORDER BY r.started_at DESC LIMIT 1`,
        params: [scheduledAt],
      }),
    where,
  );
  if (!row) {
    throw new Error(`No expiry run recorded for T = ${scheduledAt}.`);
  }
  if (row.status !== "succeeded") {
    throw new Error(`Run ${row.id} ended ${row.status}.`);
  }
  return { ...row, ms: (row.finished_at ?? Number.NaN) - row.started_at };
}

/**
 * Fires the cron through miniflare's trigger endpoint, which hands `time` on as the
 * controller's scheduledTime (wrangler's own `/__scheduled` ignores `time` and runs at the wall
 * clock). Resolves with the milliseconds until the scheduled handler had finished.
 */
export async function cron(server: BenchServer, scheduledAt: number): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(
    `${server.url}/cdn-cgi/local/scheduled?cron=0+2+*+*+*&time=${scheduledAt}&format=json`,
  );
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `The scheduled handler failed (${response.status}): ${text}\n${server.output()}`,
    );
  }
  console.log(`  scheduled handler answered ${text} after ${fmt(performance.now() - t0)} ms`);
  return performance.now() - t0;
}

export interface NightFigures {
  night: RunRecord & { httpMs: number; cpu: Cpu; memoryBeforeKiB: number; memoryAfterKiB: number };
  quiet: RunRecord & { httpMs: number; cpu: Cpu };
}

export async function measureNights(
  bench: Bench,
  server: BenchServer,
  dataset: Dataset,
): Promise<NightFigures> {
  const memoryBeforeKiB = server.peakMemoryKiB();
  const [httpMs, cpu] = await withCpu(server, () => cron(server, bench.T));
  const memoryAfterKiB = server.peakMemoryKiB();
  const night = await readRun(bench, bench.T);
  bench.log(
    `nightly run: ${fmt(night.expired)} expired in ${fmt(night.chunks)} chunks, ${fmt(night.ms)} ms (HTTP ${fmt(httpMs)} ms); D1 rows read ${fmt(night.rows_read)}, written ${fmt(night.rows_written)}`,
  );
  if (night.expired !== dataset.expectedDue) {
    bench.log(`WARNING: ${fmt(dataset.expectedDue)} states were generated due at T`);
  }
  const T1 = bench.T + MS_PER_DAY;
  const [quietHttpMs, quietCpu] = await withCpu(server, () => cron(server, T1));
  const quiet = await readRun(bench, T1);
  bench.log(
    `nothing-due night: ${fmt(quiet.expired)} expired, ${fmt(quiet.ms)} ms (HTTP ${fmt(quietHttpMs)} ms)`,
  );
  return {
    night: { ...night, httpMs, cpu, memoryBeforeKiB, memoryAfterKiB },
    quiet: { ...quiet, httpMs: quietHttpMs, cpu: quietCpu },
  };
}

/** The same night at T on a fresh copy of the data, with another chunk size. */
export async function measureChunkComparison(
  bench: Bench,
  workerBundle: string,
  comparePersist: string,
): Promise<(RunRecord & { cpu: Cpu; httpMs: number; chunkSize: number }) | null> {
  const chunkSize = bench.opts.compareChunkSize;
  if (chunkSize === 0) {
    return null;
  }
  const [httpMs, cpu] = await bench.serve(
    {
      script: workerBundle,
      persistTo: comparePersist,
      vars: { EXPIRY_CHUNK_SIZE: String(chunkSize) },
    },
    (server) => withCpu(server, () => cron(server, bench.T)),
  );
  const run = await readRun(bench, bench.T, { persistTo: comparePersist });
  bench.log(
    `the night at T with chunks of ${fmt(chunkSize)}: ${fmt(run.expired)} expired in ${fmt(run.ms)} ms`,
  );
  return { ...run, cpu, httpMs, chunkSize };
}
