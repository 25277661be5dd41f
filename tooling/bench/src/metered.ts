// Measurements on the metered entry point (apps/api/bench/metered-worker.ts): D1's rows per
// request and per statement, what hashing and a D1 round trip cost workerd, and the naive
// expiry (one UPDATE per state) for scale.
import { addTally, type D1Tally, newTally } from "@lapse/api/bench";
import { type Bench, type BenchServer, type Cpu, fmt, MS_PER_DAY, withCpu } from "./bench.ts";
import type { Dataset } from "./dataset.ts";
import { eventBatches, sumExtended } from "./ingest.ts";
import { type LoadRequest, type LoadResult, runLoad } from "./load.ts";
import { cron, type RunRecord, readRun } from "./night.ts";
import type { Reader } from "./reads.ts";

/** The metered entry's per-request D1 figures (header X-Bench-D1), added up over the answers. */
export function tallies(result: LoadResult): D1Tally {
  const total = newTally();
  for (const answer of result.answers) {
    addTally(total, JSON.parse(String(answer.headers["x-bench-d1"])) as D1Tally);
  }
  return total;
}

/** The metered entry's D1 figures of the last scheduled invocation. */
export async function lastScheduledTally(server: BenchServer): Promise<D1Tally> {
  return (await (await fetch(`${server.url}/__bench/last-scheduled`)).json()) as D1Tally;
}

export interface RowFigures {
  /** A night with nothing due (T + 2 d). */
  quiet: D1Tally;
  /** A second due night (T + 40 d), statement by statement, and its run. */
  due: D1Tally;
  dueNight: RunRecord;
  events: number;
  extended: number;
  extending: D1Tally;
  repeats: D1Tally;
  reads: D1Tally;
  readCalls: number;
}

export async function measureRows(
  bench: Bench,
  server: BenchServer,
  dataset: Dataset,
  reader: Reader,
): Promise<RowFigures> {
  const { opts } = bench;
  await cron(server, bench.T + 2 * MS_PER_DAY);
  const quiet = await lastScheduledTally(server);
  const calls = 10;
  const batches = eventBatches(
    bench,
    dataset,
    calls,
    (opts.ingestBatches + 1) * opts.batchSize,
    Date.now() - 60_000,
  );
  const pass = () =>
    runLoad({
      url: server.url,
      connections: 1,
      requests: batches.length,
      seconds: 120,
      next: (i) => batches[i] as LoadRequest,
      keepAnswers: true,
    });
  const extending = await pass();
  const repeats = await pass();
  const reads = await runLoad({
    url: server.url,
    connections: 1,
    requests: 20,
    seconds: 30,
    next: reader.next,
    keepAnswers: true,
  });
  const T40 = bench.T + 40 * MS_PER_DAY;
  await cron(server, T40);
  const due = await lastScheduledTally(server);
  const dueNight = await readRun(bench, T40);
  bench.log(`metered: rows of ${calls * 2} events.track calls, ${reads.requests} reads, 2 nights`);
  return {
    quiet,
    due,
    dueNight,
    events: calls * opts.batchSize,
    extended: sumExtended(extending),
    extending: tallies(extending),
    repeats: tallies(repeats),
    reads: tallies(reads),
    readCalls: reads.requests,
  };
}

export interface RuntimeCosts {
  /** Leaf hashing and tile integration of `entries` entries (what sealing computes). */
  proof: { entries: number; cpu: Cpu };
  d1RoundTrip: { roundTrips: number; cpu: Cpu };
}

/** workerd's CPU for sealing's hashing (the real entryLeafHash and appendToTiles) and a D1 round trip. */
export async function measureRuntimeCosts(server: BenchServer): Promise<RuntimeCosts> {
  const entries = 20_000;
  const [, proofCpu] = await withCpu(server, async () => {
    const response = await fetch(`${server.url}/__bench/proof?n=${entries}`);
    if (!response.ok) {
      throw new Error(`/__bench/proof answered ${response.status}: ${await response.text()}`);
    }
  });
  const roundTrips = 2000;
  const [, roundTripCpu] = await withCpu(server, () =>
    fetch(`${server.url}/__bench/d1?n=${roundTrips}`),
  );
  return {
    proof: { entries, cpu: proofCpu },
    d1RoundTrip: { roundTrips, cpu: roundTripCpu },
  };
}

export type NaiveFigures = D1Tally & { states: number; ms: number };

/** The naive way, on accepted newsletter states not extended since the day before yesterday. */
export async function measureNaive(
  bench: Bench,
  server: BenchServer,
  dataset: Dataset,
): Promise<NaiveFigures> {
  const consent = dataset.consentNums.newsletter;
  if (consent === undefined) {
    throw new Error("The newsletter consent was not loaded.");
  }
  const response = await fetch(`${server.url}/__bench/naive`, {
    method: "POST",
    body: JSON.stringify({
      shard: dataset.shard,
      consent,
      throughDay: bench.runDay - 2,
      limit: bench.opts.naive,
      at: bench.T + 60 * MS_PER_DAY,
    }),
  });
  const naive = (await response.json()) as NaiveFigures;
  bench.log(`naive: ${fmt(naive.states)} states, one UPDATE each, in ${fmt(naive.ms)} ms`);
  return naive;
}
