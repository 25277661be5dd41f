// `pnpm bench`: builds a fresh local D1 through the real migrations and measures, in order,
// raw SQLite's nightly run (the limit), the nightly run through the real cron path and a
// night with nothing due, event ingest, storefront reads, then D1's rows per request and the
// naive expiry on the metered entry point, and the night again with another chunk size. It
// prints figures and ratios and never fails on them; all load goes to 127.0.0.1, bounded in
// count and time. `pnpm bench -- --help` lists the options.
import { cpSync } from "node:fs";
import path from "node:path";
import { type Bench, createBench, fmt, METERED_WORKER } from "./bench.ts";
import { loadDataset } from "./dataset.ts";
import { measureIngest } from "./ingest.ts";
import { measureNaive, measureRows, measureRuntimeCosts } from "./metered.ts";
import { measureChunkComparison, measureNights } from "./night.ts";
import { benchOptions } from "./options.ts";
import { measureRawSqlite } from "./raw.ts";
import { createReader, measureReads } from "./reads.ts";
import { printReport, type Results, writeJson } from "./report.ts";
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
  // A copy of the fresh D1, for the same night with another chunk size at the end.
  const comparePersist = path.join(work, "d1-compare");
  if (opts.compareChunkSize > 0) {
    cpSync(bench.persistTo, comparePersist, { recursive: true });
  }
  // The limit first, on a copy taken before any run, while nothing else of ours runs.
  const raw = await measureRawSqlite(bench, dataset);

  const reader = await createReader(bench, dataset);
  const vars =
    opts.chunkSizeFlag === undefined ? undefined : { EXPIRY_CHUNK_SIZE: String(opts.chunkSize) };
  const timed = await bench.serve(
    { script: workerBundle, ...(vars ? { vars } : {}) },
    async (server) => {
      const nights = await measureNights(bench, server, dataset);
      const ingest = await measureIngest(bench, server, dataset);
      const reads = await measureReads(bench, server, dataset, reader);
      return { nights, ingest, reads, peakMemoryKiB: server.peakMemoryKiB() };
    },
  );
  const metered = await bench.serve({ script: meteredBundle }, async (server) => ({
    rows: await measureRows(bench, server, dataset, reader),
    costs: await measureRuntimeCosts(server),
    naive: await measureNaive(bench, server, dataset),
  }));
  const compare = await measureChunkComparison(bench, workerBundle, comparePersist);
  return { dataset, load, raw, ...timed, ...metered, compare };
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
