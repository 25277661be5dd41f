// `pnpm bench`: builds fresh local D1s (the control plane and the data shards) through the real
// migrations, seeds them (states and a sealed log, dataset.ts) and measures, in order: the
// limit (raw SQLite doing the minimum a lapse needs, limit.ts) and raw SQLite running the
// nightly run's own code; the nightly run through the real cron path and a night with nothing
// due; storage before and after the night (dbstat, on the tenant's data shard);
// history:verify; event ingest and storefront reads; then D1's rows per request and the naive
// expiry on the metered entry point, and the night again with another chunk size. It prints
// figures and ratios and never fails on them; all load goes to 127.0.0.1, bounded in count and
// time. `pnpm bench -- --help` lists the options.
import { cpSync } from "node:fs";
import path from "node:path";
import { localD1File } from "@lapse/dev/d1";
import { API_CONFIG, type Bench, createBench, fmt, METERED_WORKER } from "./bench.ts";
import { loadDataset } from "./dataset.ts";
import { checkExpiry } from "./expiry-check.ts";
import { measureIngest } from "./ingest.ts";
import { measureLimit } from "./limit.ts";
import { measureNaive, measureRows, measureRuntimeCosts } from "./metered.ts";
import { measureChunkComparison, measureNights } from "./night.ts";
import { benchOptions } from "./options.ts";
import { measureRawSqlite } from "./raw.ts";
import { createReader, measureReads } from "./reads.ts";
import { printReport, type Results, writeJson } from "./report.ts";
import { loadSharded, measureSharded } from "./shards.ts";
import { snapshotStorage, storageFigures } from "./storage.ts";
import { measureVerify } from "./verify.ts";
import { bundleWorker } from "./worker-bundle.ts";

async function run(bench: Bench): Promise<Results> {
  const { opts, work } = bench;
  bench.log(
    `work dir ${work}; ${fmt(opts.states)} states, ${fmt(opts.profiles)} profiles, ${opts.due} due at T = ${new Date(bench.T).toISOString()}`,
  );
  const t0 = performance.now();
  const workerBundle = await bundleWorker(path.join(work, "bundle"));
  const meteredBundle = await bundleWorker(path.join(work, "bundle-metered"), METERED_WORKER);
  bench.log(
    `bundled the Worker and the metered entry (${fmt((performance.now() - t0) / 1000, 1)} s)`,
  );

  const { dataset, load } = await loadDataset(bench);
  bench.workerVars = { ...dataset.proofVars };
  const loaded = snapshotStorage(bench, dataset.shard);
  // A copy of the fresh D1s, for the same night with another chunk size at the end.
  const comparePersist = path.join(work, "d1-compare");
  if (opts.compareChunkSize > 0) {
    cpSync(bench.persistTo, comparePersist, { recursive: true });
  }
  // The limits first, while nothing else of ours runs: raw SQLite doing the minimum, then
  // the nightly run's own code on raw SQLite (a copy taken before any run).
  const limit = measureLimit(bench);
  const raw = await measureRawSqlite(bench, dataset);

  const reader = await createReader(bench, dataset);
  const vars =
    opts.chunkSizeFlag === undefined ? undefined : { EXPIRY_CHUNK_SIZE: String(opts.chunkSize) };
  const script = { script: workerBundle, ...(vars ? { vars } : {}) };
  const nights = await bench.serve(script, async (server) => ({
    ...(await measureNights(bench, server, dataset)),
    peakMemoryKiB: server.peakMemoryKiB(),
  }));
  // Storage after the night (its expiry entries sealed into tiles), nothing lost or
  // duplicated, and the log verified.
  const storage = storageFigures(opts.states, loaded, snapshotStorage(bench, dataset.shard));
  bench.log(
    `storage: ${fmt(storage.bytesPerState, 1)} B / state seeded, ${fmt(storage.bytesPerHistoryLine, 1)} B / line appended by the night (${fmt(storage.linesAppended)} lines)`,
  );
  const check = checkExpiry(
    localD1File(API_CONFIG, bench.persistTo, dataset.shard),
    dataset.consents,
    bench.runDay,
    dataset.expectedDue,
  );
  // The same data on a tenant spanning --shards data shards, right after the 1-shard night.
  const sharded =
    opts.shards > 1
      ? await measureSharded(bench, await loadSharded(bench, dataset, opts.shards), {
          worker: workerBundle,
          metered: meteredBundle,
          ...(vars ? { vars } : {}),
        })
      : null;
  const verify = await measureVerify(
    bench,
    { tenantId: dataset.secrets.tenantId, proofVars: dataset.proofVars },
    storage.afterNight.entries,
  );
  const timed = await bench.serve(script, async (server) => {
    const ingest = await measureIngest(bench, server, dataset);
    const reads = await measureReads(bench, server, dataset, reader);
    return { ingest, reads, peakMemoryKiB: Math.max(nights.peakMemoryKiB, server.peakMemoryKiB()) };
  });
  const metered = await bench.serve({ script: meteredBundle }, async (server) => ({
    rows: await measureRows(bench, server, dataset, reader),
    costs: await measureRuntimeCosts(server),
    naive: await measureNaive(bench, server, dataset),
  }));
  const compare = await measureChunkComparison(bench, workerBundle, comparePersist);
  return {
    dataset,
    load,
    limit,
    raw,
    nights,
    check,
    sharded,
    storage,
    verify,
    ...timed,
    ...metered,
    compare,
  };
}

const bench = createBench(benchOptions());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void bench.cleanup().finally(() => process.exit(130));
  });
}
try {
  const results = await run(bench);
  printReport(bench, results);
  if (bench.opts.json) {
    writeJson(bench.opts.json, bench, results);
    bench.log(`figures written to ${bench.opts.json}`);
  }
} finally {
  await bench.cleanup();
}
