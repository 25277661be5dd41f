// The figures of a run: the table (with the floors BENCHMARKS.md discusses), where D1's rows
// and raw SQLite's time go per statement, and every figure as JSON (`--json FILE`).
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import type { D1Tally } from "@lapse/api/bench";
import { type Bench, type Cpu, fmt } from "./bench.ts";
import type { Dataset, LoadFigures } from "./dataset.ts";
import type { IngestFigures } from "./ingest.ts";
import type { LoadResult } from "./load.ts";
import type { NaiveFigures, RowFigures, RuntimeCosts } from "./metered.ts";
import type { NightFigures, RunRecord } from "./night.ts";
import type { RawFigures } from "./raw.ts";
import type { ReadFigures } from "./reads.ts";

export interface Results {
  dataset: Dataset;
  load: LoadFigures;
  raw: RawFigures;
  nights: NightFigures;
  ingest: IngestFigures;
  reads: ReadFigures;
  /** workerd's peak RSS over the timed session. */
  peakMemoryKiB: number;
  rows: RowFigures;
  costs: RuntimeCosts;
  naive: NaiveFigures;
  compare: (RunRecord & { cpu: Cpu; chunkSize: number }) | null;
}

/** A row of the table: figure, value, and the floor with whether it is met. */
type TableRow = [figure: string, value: string, floor?: string, met?: boolean];

/** The table's rows: every figure, each ratio and each floor. */
function tableRows(bench: Bench, r: Results): TableRow[] {
  const { opts } = bench;
  const { night, quiet } = r.nights;
  const { extending, repeats } = r.ingest;
  const { reads, alone, healthz, healthzAlone } = r.reads;
  const { storage } = r.raw;
  const { naive, compare } = r;
  const lapseRate = night.expired / (night.ms / 1000);
  const rawRate = r.raw.night.expired / (r.raw.night.ms / 1000);
  const rowsReadPerExpired = night.rows_read / night.expired;
  const quietRowsPerConsent = r.rows.quiet.rowsRead / Math.max(1, quiet.consents);
  const naiveRate = naive.states / (naive.ms / 1000);
  const events = opts.ingestBatches * opts.batchSize;
  const cpuPerCall = (cpu: Cpu, calls: number, digits: number) =>
    `${fmt(cpu.workerd / calls, digits)} / ${fmt(cpu.wrangler / calls, digits)} / ${fmt(cpu.client / calls, digits)} ms`;
  return [
    [
      "data",
      `${fmt(opts.states)} accepted states (${opts.consents} consents × ${fmt(opts.profiles)} profiles), ${fmt(r.load.historyRows)} history lines`,
    ],
    ["  load through wrangler d1 execute", `${fmt(r.load.seconds, 1)} s`],
    [
      "  storage (dbstat, indexes included)",
      `${fmt((storage.consent_state ?? 0) / opts.states)} B / state, ${fmt((storage.consent_history ?? 0) / Math.max(1, r.load.historyRows))} B / history line, ${fmt((storage.history_head ?? 0) / opts.profiles)} B / chain head; ${fmt(Object.values(storage).reduce((a, b) => a + b, 0) / 2 ** 20)} MiB in all`,
    ],
    [
      "nightly run, cron path",
      `${fmt(night.expired)} expired, ${fmt(night.chunks)} chunks of ${fmt(opts.chunkSize)}, ${fmt(night.ms / 1000, 2)} s`,
    ],
    ["  states expired / s", fmt(lapseRate), "≥ 20,000", lapseRate >= 20_000],
    ["  D1 rows read / expired state", fmt(rowsReadPerExpired, 2), "≤ 3", rowsReadPerExpired <= 3],
    ["  D1 rows written / expired state", fmt(night.rows_written / night.expired, 2)],
    [
      "  CPU ms / 1,000 expired: workerd / wrangler",
      `${fmt((night.cpu.workerd * 1000) / night.expired)} / ${fmt((night.cpu.wrangler * 1000) / night.expired)}`,
    ],
    [
      "  workerd peak RSS (VmHWM)",
      `${fmt(night.memoryAfterKiB / 1024)} MiB (${fmt(night.memoryBeforeKiB / 1024)} MiB before the run)`,
    ],
    [
      "raw SQLite, same code (node:sqlite)",
      `${fmt(r.raw.night.ms / 1000, 2)} s, ${fmt(rawRate)} states/s`,
    ],
    [
      "  Lapse / raw SQLite (time)",
      `${fmt(night.ms / r.raw.night.ms, 2)}×`,
      "≤ 3×",
      night.ms / r.raw.night.ms <= 3,
    ],
    [
      "night with nothing due",
      `${fmt(quiet.ms)} ms, workerd CPU ${fmt(quiet.cpu.workerd)} ms (raw SQLite ${fmt(r.raw.quiet.ms, 1)} ms)`,
    ],
    [
      "  D1 rows read / consent, whole run",
      fmt(quietRowsPerConsent, 1),
      "< 100",
      quietRowsPerConsent < 100,
    ],
    [
      "  D1 rows read / consent, chunks only",
      fmt(quiet.rows_read / Math.max(1, quiet.consents), 1),
    ],
    [
      "ingest: events.track, extending",
      `${fmt(events)} events, ${fmt(opts.ingestBatches)} calls of ${fmt(opts.batchSize)}, ${opts.ingestConnections} connections`,
    ],
    [
      "  events / s",
      fmt(extending.eventsPerSecond),
      "≥ 10,000",
      extending.eventsPerSecond >= 10_000,
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
    [
      "naive: one UPDATE per state, from a Worker",
      `${fmt(naive.states)} states in ${fmt(naive.ms / 1000, 2)} s, ${fmt(naiveRate)} states/s`,
    ],
    ["  naive / Lapse, time per state", `${fmt(lapseRate / naiveRate, 1)}×`],
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
      "proof chain: link() in workerd",
      `${fmt((r.costs.chain.cpu.workerd * 1000) / r.costs.chain.entries)} ms CPU / 1,000 entries`,
    ],
    [
      `the same night with chunks of ${fmt(opts.compareChunkSize)}`,
      compare
        ? `${fmt(compare.expired / (compare.ms / 1000))} states/s (${fmt(compare.expired / (compare.ms / 1000) / lapseRate, 2)}×), ${fmt(compare.chunks)} chunks, ${fmt(compare.rows_read / compare.expired, 2)} rows read / state, ${fmt((compare.cpu.workerd * 1000) / compare.expired)} ms workerd CPU / 1,000`
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

/** D1's rows per statement text, divided by `per` (states, consents, events, calls). */
function printBreakdown(title: string, tally: D1Tally, per: number, unit: string): void {
  console.log(`\n${title}`);
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
}

/** Every figure as JSON, for `--json FILE`. */
export function writeJson(file: string, bench: Bench, results: Results): void {
  const { opts } = bench;
  const { dataset, load, raw, nights, ingest, reads, rows, costs, naive, compare } = results;
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
        dataset: {
          storage: raw.storage,
          consents: opts.consents,
          expectedDue: dataset.expectedDue,
          historyRows: load.historyRows,
          loadSeconds: load.seconds,
        },
        night: nights.night,
        raw: { night: raw.night, quiet: raw.quiet },
        quiet: { ...nights.quiet, metered: rows.quiet },
        ingest: {
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
          ...strip(reads.reads),
          metered: rows.reads,
          alone: strip(reads.alone),
        },
        meteredDueNight: { ...rows.dueNight, metered: rows.due },
        naive,
        compare,
        healthz: { ...strip(reads.healthz), alone: strip(reads.healthzAlone) },
        chain: costs.chain,
        d1RoundTrip: costs.d1RoundTrip,
        peakMemoryKiB: results.peakMemoryKiB,
      },
      null,
      2,
    )}\n`,
  );
}
