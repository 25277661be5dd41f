// The figures of a run: the table (with the floors BENCHMARKS.md discusses), where D1's rows
// and raw SQLite's time go per statement, and every figure as JSON (`--json FILE`).
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import type { D1Tally } from "@lapse/api/bench";
import { type Bench, type Cpu, fmt } from "./bench.ts";
import type { Dataset, LoadFigures } from "./dataset.ts";
import { type ExpiryCheck, exactlyOnce } from "./expiry-check.ts";
import type { IngestFigures } from "./ingest.ts";
import type { LimitFigures } from "./limit.ts";
import type { LoadResult } from "./load.ts";
import type { NaiveFigures, RowFigures, RuntimeCosts } from "./metered.ts";
import type { NightFigures, RunRecord } from "./night.ts";
import type { RawFigures } from "./raw.ts";
import type { ReadFigures } from "./reads.ts";
import { printSharded, shardedJson } from "./report-shards.ts";
import type { ShardedFigures } from "./shards.ts";
import type { StorageFigures } from "./storage.ts";
import type { VerifyFigures } from "./verify.ts";

export interface Results {
  dataset: Dataset;
  load: LoadFigures;
  limit: LimitFigures;
  raw: RawFigures;
  nights: NightFigures;
  /** The 1-shard night at T lost and duplicated nothing (expiry-check.ts). */
  check: ExpiryCheck;
  /** The same data on a tenant spanning --shards data shards; null without --shards. */
  sharded: ShardedFigures | null;
  storage: StorageFigures;
  verify: VerifyFigures;
  ingest: IngestFigures;
  reads: ReadFigures;
  /** workerd's peak RSS over the timed session. */
  peakMemoryKiB: number;
  rows: RowFigures;
  costs: RuntimeCosts;
  naive: NaiveFigures;
  compare: (RunRecord & { cpu: Cpu; httpMs: number; chunkSize: number }) | null;
}

/** The floors of issue 13 (storage v2), reported against, never tuned to. */
export const FLOORS = {
  bytesPerState: 120,
  bytesPerHistoryLine: 80,
  nightToLimit: 0.4,
  rowsReadPerState: 4,
  rowsWrittenPerState: 3,
  quietRowsReadPerConsent: 10,
  eventsPerSecond: 20_000,
  readCpuMsPerCall: 4,
  verifySeconds: 30,
} as const;

/** The headline figures, each computed once: the table and the JSON both use them. */
export function headline(r: Results) {
  const { night, quiet } = r.nights;
  const expired = Math.max(1, night.expired);
  const meteredExpired = Math.max(1, r.rows.dueNight.expired);
  const statesPerSecond = night.expired / (night.httpMs / 1000);
  const compactStatesPerSecond = r.limit.compact.statesPerSecond;
  return {
    statesPerSecond,
    /** The run's own ledger (expiry_run_consent: the chunks' statements). */
    ledgerRowsReadPerState: night.rows_read / expired,
    ledgerRowsWrittenPerState: night.rows_written / expired,
    /** The metered due night: every statement of the scheduled invocation, sealing included. */
    rowsReadPerState: r.rows.due.rowsRead / meteredExpired,
    rowsWrittenPerState: r.rows.due.rowsWritten / meteredExpired,
    compactStatesPerSecond,
    nightToLimit: statesPerSecond / compactStatesPerSecond,
    nightToWideLimit: statesPerSecond / r.limit.wide.statesPerSecond,
    rawStatesPerSecond: r.raw.night.expired / (r.raw.night.ms / 1000),
    quietRowsReadPerConsent: r.rows.quiet.rowsRead / Math.max(1, quiet.consents),
    eventsPerSecond: r.ingest.extending.eventsPerSecond,
    readCpuMsPerCall: r.reads.reads.cpu.workerd / Math.max(1, r.reads.reads.requests),
    readCpuMsPerCallAlone: r.reads.alone.cpu.workerd / Math.max(1, r.reads.alone.requests),
  };
}

/** A row of the table: figure, value, and the floor with whether it is met. */
type TableRow = [figure: string, value: string, floor?: string, met?: boolean];

/** The table's rows: every figure, each ratio and each floor. */
function tableRows(bench: Bench, r: Results): TableRow[] {
  const { opts } = bench;
  const h = headline(r);
  const { night, quiet } = r.nights;
  const { extending, repeats } = r.ingest;
  const { reads, alone, healthz, healthzAlone } = r.reads;
  const { storage, naive, compare, limit, verify } = r;
  const naiveRate = naive.states / (naive.ms / 1000);
  const events = opts.ingestBatches * opts.batchSize;
  const cpuPerCall = (cpu: Cpu, calls: number, digits: number) =>
    `${fmt(cpu.workerd / calls, digits)} / ${fmt(cpu.wrangler / calls, digits)} / ${fmt(cpu.client / calls, digits)} ms`;
  const perTable = (o: Record<string, number>) =>
    Object.entries(o)
      .filter(([, b]) => Math.abs(b) >= 0.05)
      .map(([t, b]) => `${t} ${fmt(b, 1)}`)
      .join(", ");
  const F = FLOORS;
  return [
    [
      "data",
      `${fmt(opts.states)} accepted states (${opts.consents} consents × ${fmt(opts.profiles)} profiles), ${fmt(r.load.entries)} log entries (${fmt(opts.profiles)} bindings + ${fmt(r.load.historyRows)} acceptances), ${fmt(r.load.tiles)} tiles, sealed and signed`,
    ],
    [
      "  seed (node:sqlite into the D1 file)",
      `${fmt(r.load.seconds, 1)} s (rows ${fmt(r.load.seed.rows, 1)}, hashing ${fmt(r.load.seed.hashing, 1)}, tiles ${fmt(r.load.seed.tiles, 1)})`,
    ],
    [
      "storage / state (dbstat, indexes incl.)",
      `${fmt(storage.bytesPerState, 1)} B: ${perTable(storage.perState)}`,
      `≤ ${F.bytesPerState} B`,
      storage.bytesPerState <= F.bytesPerState,
    ],
    [
      "storage / further history line",
      `${fmt(storage.bytesPerHistoryLine, 1)} B: ${perTable(storage.perLine)} (${fmt(storage.linesAppended)} lines appended by the night; state table ${fmt(storage.stateGrowthPerLine, 1)} B / line)`,
      `≤ ${F.bytesPerHistoryLine} B`,
      storage.bytesPerHistoryLine <= F.bytesPerHistoryLine,
    ],
    ["  all tables as seeded", `${fmt(storage.totalMiB)} MiB`],
    [
      "limit: raw SQLite, the minimum (compact)",
      `${fmt(limit.compact.statesPerSecond)} states/s (${fmt(limit.compact.expired)} in ${fmt(limit.compact.ms / 1000, 2)} s), ${fmt(limit.compact.bytesPerState)} B / state, ${fmt(limit.compact.bytesPerLine)} B / line`,
    ],
    [
      "limit: raw SQLite, the minimum (wide, v1 ids)",
      `${fmt(limit.wide.statesPerSecond)} states/s, ${fmt(limit.wide.bytesPerState)} B / state, ${fmt(limit.wide.bytesPerLine)} B / line`,
    ],
    [
      "nightly run, cron path, sealing included",
      `${fmt(night.expired)} expired, ${fmt(night.chunks)} chunks of ${fmt(opts.chunkSize)}, ${fmt(night.httpMs / 1000, 2)} s (ledger ${fmt(night.ms / 1000, 2)} s)`,
    ],
    ["  states expired / s", fmt(h.statesPerSecond)],
    [
      "  night / compact limit",
      `${fmt(h.nightToLimit, 2)}× (wide limit: ${fmt(h.nightToWideLimit, 2)}×)`,
      `≥ ${F.nightToLimit}×`,
      h.nightToLimit >= F.nightToLimit,
    ],
    [
      "  exactly once: due / expired / expiry entries",
      `${fmt(r.check.due)} / ${fmt(r.check.expired)} / ${fmt(r.check.entries)} (naming ${fmt(r.check.entryStates)} states; ${fmt(r.check.unmatched)} without exactly one, ${fmt(r.check.notDue)} not due, ${fmt(r.check.left)} left)`,
      "one each",
      exactlyOnce(r.check),
    ],
    [
      "  D1 rows read / expired state (metered)",
      `${fmt(h.rowsReadPerState, 2)} (ledger, chunks only: ${fmt(h.ledgerRowsReadPerState, 2)})`,
      `≤ ${F.rowsReadPerState}`,
      h.rowsReadPerState <= F.rowsReadPerState,
    ],
    [
      "  D1 rows written / expired state (metered)",
      `${fmt(h.rowsWrittenPerState, 2)} (ledger, chunks only: ${fmt(h.ledgerRowsWrittenPerState, 2)})`,
      `≤ ${F.rowsWrittenPerState}`,
      h.rowsWrittenPerState <= F.rowsWrittenPerState,
    ],
    [
      "  CPU ms / 1,000 expired: workerd / wrangler",
      `${fmt((night.cpu.workerd * 1000) / night.expired)} / ${fmt((night.cpu.wrangler * 1000) / night.expired)}`,
    ],
    [
      "  workerd peak RSS (VmHWM)",
      `${fmt(night.memoryAfterKiB / 1024)} MiB (${fmt(night.memoryBeforeKiB / 1024)} MiB before the run)`,
    ],
    [
      "raw SQLite, the run's own code (node:sqlite)",
      `${fmt(r.raw.night.ms / 1000, 2)} s, ${fmt(h.rawStatesPerSecond)} states/s`,
    ],
    [
      "  Lapse / raw SQLite, same code (time)",
      `${fmt(night.httpMs / r.raw.night.ms, 2)}×`,
      "≤ 3×",
      night.httpMs / r.raw.night.ms <= 3,
    ],
    [
      "night with nothing due",
      `${fmt(quiet.httpMs)} ms, workerd CPU ${fmt(quiet.cpu.workerd)} ms (raw SQLite ${fmt(r.raw.quiet.ms, 1)} ms)`,
    ],
    [
      "  D1 rows read / consent, whole run",
      fmt(h.quietRowsReadPerConsent, 1),
      `≤ ${F.quietRowsReadPerConsent}`,
      h.quietRowsReadPerConsent <= F.quietRowsReadPerConsent,
    ],
    [
      "  D1 rows read / consent, chunks only",
      fmt(quiet.rows_read / Math.max(1, quiet.consents), 1),
    ],
    [
      "history:verify (the tenant's whole log)",
      "skipped" in verify
        ? `skipped: ${verify.skipped}`
        : `${fmt(verify.entries)} entries in ${fmt(verify.seconds, 1)} s, exit ${verify.exitCode}`,
      `≤ ${F.verifySeconds} s`,
      "skipped" in verify ? undefined : verify.exitCode === 0 && verify.seconds <= F.verifySeconds,
    ],
    [
      "ingest: events.track, extending",
      `${fmt(events)} events, ${fmt(opts.ingestBatches)} calls of ${fmt(opts.batchSize)}, ${opts.ingestConnections} connections`,
    ],
    [
      "  events / s",
      fmt(h.eventsPerSecond),
      `≥ ${fmt(F.eventsPerSecond)}`,
      h.eventsPerSecond >= F.eventsPerSecond,
    ],
    ["  latency / call p50 / p99", `${fmt(extending.p50, 1)} / ${fmt(extending.p99, 1)} ms`],
    [
      "  CPU / call: workerd / wrangler / load gen.",
      cpuPerCall(extending.cpu, extending.requests, 1),
    ],
    ["  states extended / event", fmt(extending.extended / events, 2)],
    ["  D1 rows written / event (metered)", fmt(r.rows.extending.rowsWritten / r.rows.events, 2)],
    ["  D1 rows read / event (metered)", fmt(r.rows.extending.rowsRead / r.rows.events, 2)],
    ["ingest: the same calls again (same day)", `${fmt(repeats.eventsPerSecond)} events/s`],
    ["  latency / call p50 / p99", `${fmt(repeats.p50, 1)} / ${fmt(repeats.p99, 1)} ms`],
    ["  CPU / call: workerd / wrangler / load gen.", cpuPerCall(repeats.cpu, repeats.requests, 1)],
    [
      "  states extended; D1 rows written (metered)",
      `${fmt(repeats.extended)}; ${fmt(r.rows.repeats.rowsWritten)}`,
      "0",
      repeats.extended === 0 && r.rows.repeats.rowsWritten === 0,
    ],
    [
      "profile.get, publishable key + token",
      `${opts.readConnections} connections, ${fmt(reads.requests)} calls in ${fmt(reads.seconds, 1)} s, non-200: ${JSON.stringify(reads.failures)}`,
    ],
    [
      "  workerd CPU / call",
      `${fmt(h.readCpuMsPerCall, 2)} ms (at 1 connection: ${fmt(h.readCpuMsPerCallAlone, 2)} ms)`,
      `≤ ${F.readCpuMsPerCall} ms`,
      h.readCpuMsPerCall <= F.readCpuMsPerCall,
    ],
    ["  requests / s", fmt(reads.perSecond)],
    [
      "  latency p50 / p99",
      `${fmt(reads.p50, 1)} / ${fmt(reads.p99, 1)} ms`,
      "p99 < 25 ms",
      reads.p99 < 25,
    ],
    ["  CPU / call: workerd / wrangler / load gen.", cpuPerCall(reads.cpu, reads.requests, 2)],
    [
      "  at 1 connection: requests / s, p50 / p99",
      `${fmt(alone.perSecond)}, ${fmt(alone.p50, 1)} / ${fmt(alone.p99, 1)} ms`,
    ],
    [
      "  D1 statements / call (metered)",
      fmt((r.rows.reads.statements + r.rows.reads.unmetered) / r.rows.readCalls, 1),
    ],
    ["  D1 rows read / call (metered)", fmt(r.rows.reads.rowsRead / r.rows.readCalls, 1)],
    [
      "naive: one UPDATE per state, from a Worker",
      `${fmt(naive.states)} states in ${fmt(naive.ms / 1000, 2)} s, ${fmt(naiveRate)} states/s`,
    ],
    ["  naive / Lapse, time per state", `${fmt(h.statesPerSecond / naiveRate, 1)}×`],
    [
      "  /healthz at the same concurrency",
      `${fmt(healthz.perSecond)} req/s, p50 / p99 ${fmt(healthz.p50, 1)} / ${fmt(healthz.p99, 1)} ms, CPU / call ${cpuPerCall(healthz.cpu, healthz.requests, 2)}`,
    ],
    [
      "  /healthz at 1 connection",
      `${fmt(healthzAlone.perSecond)} req/s, p50 / p99 ${fmt(healthzAlone.p50, 1)} / ${fmt(healthzAlone.p99, 1)} ms`,
    ],
    [
      "one local D1 round trip (SELECT 1)",
      `${fmt(r.costs.d1RoundTrip.cpu.workerd / r.costs.d1RoundTrip.roundTrips, 2)} ms workerd CPU`,
    ],
    [
      "proof: leaf hash + tile append in workerd",
      `${fmt((r.costs.proof.cpu.workerd * 1000) / r.costs.proof.entries)} ms CPU / 1,000 entries`,
    ],
    [
      `the same night with chunks of ${fmt(opts.compareChunkSize)}`,
      compare
        ? `${fmt(compare.expired / (compare.httpMs / 1000))} states/s (${fmt(compare.expired / (compare.httpMs / 1000) / h.statesPerSecond, 2)}×), ${fmt(compare.chunks)} chunks, ${fmt(compare.rows_read / compare.expired, 2)} rows read / state (ledger), ${fmt((compare.cpu.workerd * 1000) / compare.expired)} ms workerd CPU / 1,000`
        : "skipped",
    ],
    ["workerd peak RSS over the session", `${fmt(r.peakMemoryKiB / 1024)} MiB`],
  ];
}

function printTable(rows: TableRow[]): void {
  const cells = rows.map(([figure, value, floor, ok]) => [
    figure,
    value,
    floor ?? "",
    ok === undefined ? "" : ok ? "met" : "MISSED",
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(
    `\nLapse benchmarks, ${new Date().toISOString()}, ${cpus()[0]?.model ?? "?"} (${availableParallelism()} CPUs, ${fmt(totalmem() / 2 ** 30)} GiB), Node ${process.version}\n`,
  );
  console.log(line(["figure", "value", "floor", ""]));
  for (const c of cells) {
    console.log(line(c));
  }
}

/** D1's rows per database, then per statement text, divided by `per` (states, consents…). */
function printBreakdown(title: string, tally: D1Tally, per: number, unit: string): void {
  console.log(`\n${title}`);
  const databases = Object.entries(tally.byBinding)
    .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
    .map(
      ([binding, b]) =>
        `${binding} read ${fmt(b.rowsRead / per, 2)}, written ${fmt(b.rowsWritten / per, 2)}`,
    );
  if (databases.length > 0) {
    console.log(`  by database: ${databases.join("; ")} ${unit}`);
  }
  const entries = Object.entries(tally.bySql).sort((a, b) => b[1].rowsRead - a[1].rowsRead);
  for (const [sql, f] of entries) {
    console.log(
      `  ${sql.padEnd(50)} ×${String(f.count).padStart(5)}  read ${fmt(f.rowsRead / per, 2).padStart(8)}  written ${fmt(f.rowsWritten / per, 2).padStart(7)}  ${unit}`,
    );
  }
}

/** Prints the table, then where D1's rows and raw SQLite's time go. */
export function printReport(bench: Bench, r: Results): void {
  printTable(tableRows(bench, r));
  printBreakdown(
    `Where D1's rows go, per statement: a metered due night at T + 40 d (${fmt(r.rows.dueNight.expired)} expired, ${fmt(r.rows.dueNight.chunks)} chunks), per expired state`,
    r.rows.due,
    Math.max(1, r.rows.dueNight.expired),
    "/ state",
  );
  console.log(
    `\nWhere raw SQLite's time goes, the night at T (${fmt(r.raw.night.ms)} ms in all; the rest is JavaScript: hashing, JSON, drizzle)`,
  );
  for (const [sql, t] of Object.entries(r.raw.night.timeBySql).sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `  ${sql.padEnd(50)} ×${String(t.count).padStart(5)}  ${fmt(t.ms).padStart(8)} ms  ${fmt((t.ms * 1000) / Math.max(1, r.raw.night.expired), 1).padStart(7)} µs / state`,
    );
  }
  printBreakdown(
    `A metered night with nothing due (T + 2 d), per consent (${r.nights.quiet.consents})`,
    r.rows.quiet,
    Math.max(1, r.nights.quiet.consents),
    "/ consent",
  );
  printBreakdown(
    `events.track, ${fmt(r.rows.events)} metered events (${fmt(r.rows.extended)} states extended), per event`,
    r.rows.extending,
    r.rows.events,
    "/ event",
  );
  printBreakdown(
    "profile.get, per call (raw()/first() reads are not metered)",
    r.rows.reads,
    r.rows.readCalls,
    "/ call",
  );
  if (r.sharded) {
    printSharded(r, r.sharded);
  }
}

/** Every figure as JSON, for `--json FILE`: the headline keys of issue 13 first. */
export function writeJson(file: string, bench: Bench, results: Results): void {
  const { opts } = bench;
  const { dataset, load, limit, raw, nights, storage, verify, ingest, reads, rows, costs } =
    results;
  const { naive, compare } = results;
  const h = headline(results);
  const strip = ({ answers: _answers, ...rest }: LoadResult) => rest;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cpu: cpus()[0]?.model, cpus: availableParallelism(), memory: totalmem() },
        options: {
          states: opts.states,
          profiles: opts.profiles,
          due: opts.due,
          history: opts.history,
          chunkSize: opts.chunkSizeFlag,
          ingestBatches: opts.ingestBatches,
          batchSize: opts.batchSize,
          ingestConnections: opts.ingestConnections,
          readSeconds: opts.readSeconds,
          readConnections: opts.readConnections,
          naive: opts.naive,
        },
        chunkSize: opts.chunkSize,
        floors: FLOORS,
        storage: {
          bytesPerState: storage.bytesPerState,
          bytesPerHistoryLine: storage.bytesPerHistoryLine,
          perState: storage.perState,
          perLine: storage.perLine,
          stateGrowthPerLine: storage.stateGrowthPerLine,
          linesAppended: storage.linesAppended,
          totalMiB: storage.totalMiB,
          loaded: storage.loaded,
          afterNight: storage.afterNight,
        },
        dataset: {
          consents: opts.consents,
          expectedDue: dataset.expectedDue,
          historyRows: load.historyRows,
          entries: load.entries,
          tiles: load.tiles,
          loadSeconds: load.seconds,
          seed: load.seed,
        },
        night: {
          ...nights.night,
          statesPerSecond: h.statesPerSecond,
          rowsReadPerState: h.rowsReadPerState,
          rowsWrittenPerState: h.rowsWrittenPerState,
          ledgerRowsReadPerState: h.ledgerRowsReadPerState,
          ledgerRowsWrittenPerState: h.ledgerRowsWrittenPerState,
        },
        limit: {
          compactStatesPerSecond: limit.compact.statesPerSecond,
          wideStatesPerSecond: limit.wide.statesPerSecond,
          states: limit.states,
          compact: limit.compact,
          wide: limit.wide,
        },
        ratio: {
          nightToLimit: h.nightToLimit,
          nightToWideLimit: h.nightToWideLimit,
          nightToRawSameCode: h.statesPerSecond / h.rawStatesPerSecond,
        },
        raw: { night: raw.night, quiet: raw.quiet, statesPerSecond: h.rawStatesPerSecond },
        quiet: {
          ...nights.quiet,
          rowsReadPerConsent: h.quietRowsReadPerConsent,
          metered: rows.quiet,
        },
        verify,
        ingest: {
          eventsPerSecond: h.eventsPerSecond,
          extending: strip(ingest.extending),
          repeats: strip(ingest.repeats),
          metered: {
            events: rows.events,
            extended: rows.extended,
            extending: rows.extending,
            repeats: rows.repeats,
          },
        },
        reads: {
          cpuMsPerCall: h.readCpuMsPerCall,
          cpuMsPerCallAlone: h.readCpuMsPerCallAlone,
          ...strip(reads.reads),
          metered: rows.reads,
          alone: strip(reads.alone),
        },
        meteredDueNight: { ...rows.dueNight, metered: rows.due },
        naive,
        compare,
        healthz: { ...strip(reads.healthz), alone: strip(reads.healthzAlone) },
        proofCost: costs.proof,
        d1RoundTrip: costs.d1RoundTrip,
        peakMemoryKiB: results.peakMemoryKiB,
        exactlyOnce: results.check,
        shards: results.sharded ? shardedJson(results, results.sharded) : { count: 1 },
      },
      null,
      2,
    )}\n`,
  );
}
