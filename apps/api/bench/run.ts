// `pnpm bench`: builds a fresh local D1 through the real migrations, loads it through
// `wrangler d1 execute`, and measures the nightly expiry (the real cron path, then the same code
// on raw SQLite), a night with nothing due, event ingest, storefront reads and the naive expiry.
// It prints figures and ratios and never fails on them. All load goes to 127.0.0.1, bounded in
// count and time. `--help` lists the flags.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { signProfileToken } from "../../../packages/client/src/server.ts";
import { type Dataset, MS_PER_DAY, profileId, writeDataset } from "./dataset";
import { type LoadRequest, type LoadResult, runLoad } from "./load";
import type { D1Tally } from "./metered-worker";
import { openRaw, rawNight, storageByTable } from "./raw-sqlite";
import {
  applyMigrations,
  bundle,
  type DevServer,
  d1File,
  executeFile,
  exists,
  queryMany,
  startDev,
} from "./wrangler-local";

const HELP = `pnpm bench [-- flags]

  --states N              accepted states (default 1000000)
  --profiles N            profiles; each has states / profiles consents, 1 to 4 (default 250000)
  --due F                 fraction of the states due at T (default 0.25)
  --no-history            no acceptance history (one chained line per state by default)
  --chunk-size N          EXPIRY_CHUNK_SIZE for the runs (default: wrangler.jsonc's, 5000)
  --compare-chunk-size N  the same night again on a fresh copy with this chunk size
                          (default 1000, or 5000 when --chunk-size is 1000; 0: skip)
  --ingest-batches N      events.track calls per ingest pass (default 200)
  --batch-size N          events per call (default 500)
  --ingest-connections N  concurrent ingest calls (default 4)
  --read-seconds S        duration of the profile.get load (default 15)
  --read-connections N    concurrent profile.get connections (default 32)
  --naive N               states flipped one UPDATE at a time (default 10000)
  --json FILE             also write every figure as JSON
  --keep                  keep the temporary directory (D1 state, SQL files, raw copy)`;

const { values: flags } = parseArgs({
  options: {
    states: { type: "string", default: "1000000" },
    profiles: { type: "string", default: "250000" },
    due: { type: "string", default: "0.25" },
    "no-history": { type: "boolean", default: false },
    "chunk-size": { type: "string" },
    "compare-chunk-size": { type: "string" },
    "ingest-batches": { type: "string", default: "200" },
    "batch-size": { type: "string", default: "500" },
    "ingest-connections": { type: "string", default: "4" },
    "read-seconds": { type: "string", default: "15" },
    "read-connections": { type: "string", default: "32" },
    naive: { type: "string", default: "10000" },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  // pnpm and turbo may pass a lone "--" through.
  allowPositionals: true,
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}

function num(name: string, value: string | undefined): number {
  const n = Number(String(value).replaceAll(/[_,]/g, ""));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

const opts = {
  states: num("states", flags.states),
  profiles: num("profiles", flags.profiles),
  due: num("due", flags.due),
  history: !flags["no-history"],
  chunkSize: flags["chunk-size"] === undefined ? undefined : num("chunk-size", flags["chunk-size"]),
  ingestBatches: num("ingest-batches", flags["ingest-batches"]),
  batchSize: num("batch-size", flags["batch-size"]),
  ingestConnections: num("ingest-connections", flags["ingest-connections"]),
  readSeconds: num("read-seconds", flags["read-seconds"]),
  readConnections: num("read-connections", flags["read-connections"]),
  naive: num("naive", flags.naive),
};
/** wrangler.jsonc's EXPIRY_CHUNK_SIZE, used when --chunk-size is not given. */
const CONFIG_CHUNK_SIZE = 5000;
const chunkSize = opts.chunkSize ?? CONFIG_CHUNK_SIZE;
const compareChunkSize =
  flags["compare-chunk-size"] === undefined
    ? chunkSize === 1000
      ? 5000
      : 1000
    : num("compare-chunk-size", flags["compare-chunk-size"]);
/** Calls per key over the whole bench: the local rate limit is 1,200 a minute per key. */
const CALLS_PER_KEY = 1000;

const started = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";

// T: today's 02:00 UTC, the cron's hour.
const runDay = Math.floor(Date.now() / MS_PER_DAY);
const T = runDay * MS_PER_DAY + 2 * 3_600_000;

const work = mkdtempSync(path.join(tmpdir(), "lapse-bench-"));
const persistTo = path.join(work, "d1");
let dev: DevServer | null = null;
const cleanup = async () => {
  await dev?.stop();
  dev = null;
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

function server(): DevServer {
  if (!dev) throw new Error("wrangler dev is not running");
  return dev;
}

interface RunRow {
  id: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  consents: number;
  expired: number;
  chunks: number;
  rows_read: number;
  rows_written: number;
}

/** The latest run at `scheduledAt` with its per-consent figures summed: the Worker's record. */
function readRun(scheduledAt: number, persist = persistTo): RunRow & { ms: number } {
  const [rows] = queryMany(persist, [
    `SELECT r.id, r.status, r.started_at, r.finished_at, COUNT(c.consent_id) AS consents,
       COALESCE(SUM(c.expired), 0) AS expired, COALESCE(SUM(c.chunks), 0) AS chunks,
       COALESCE(SUM(c.rows_read), 0) AS rows_read, COALESCE(SUM(c.rows_written), 0) AS rows_written
     FROM expiry_run AS r LEFT JOIN expiry_run_consent AS c ON c.run_id = r.id
     WHERE r.scheduled_at = ${scheduledAt} GROUP BY r.id ORDER BY r.started_at DESC LIMIT 1`,
  ]) as [RunRow[]];
  const row = rows[0];
  if (!row) throw new Error(`No expiry run recorded for T = ${scheduledAt}.`);
  if (row.status !== "succeeded") {
    throw new Error(`Run ${row.id} ended ${row.status}.\n${dev?.output() ?? ""}`);
  }
  return { ...row, ms: (row.finished_at ?? Number.NaN) - row.started_at };
}

/**
 * Fires the cron through miniflare's trigger endpoint, which hands `time` on as the
 * controller's scheduledTime (wrangler's own `/__scheduled` ignores `time` and runs at the wall
 * clock). Resolves when the scheduled handler has finished.
 */
async function cron(scheduledAt: number): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(
    `${server().url}/cdn-cgi/local/scheduled?cron=0+2+*+*+*&time=${scheduledAt}&format=json`,
  );
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `The scheduled handler failed (${response.status}): ${text}\n${server().output()}`,
    );
  }
  console.log(`  scheduled handler answered ${text} after ${fmt(performance.now() - t0)} ms`);
  return performance.now() - t0;
}

interface Cpu {
  /** CPU ms of workerd (the Worker and its local D1), of wrangler's Node, of this process. */
  workerd: number;
  wrangler: number;
  client: number;
}

/** Runs `work` and reads the CPU time each side spent meanwhile: unlike latency, contention does not inflate it much. */
async function withCpu<T>(work: () => Promise<T>): Promise<[T, Cpu]> {
  const before = server().cpuMs();
  const client = process.cpuUsage();
  const value = await work();
  const after = server().cpuMs();
  const used = process.cpuUsage(client);
  return [
    value,
    {
      workerd: after.workerd - before.workerd,
      wrangler: after.wrangler - before.wrangler,
      client: (used.user + used.system) / 1000,
    },
  ];
}

/** `count` events.track calls; event n goes to profile `offset + n` with a type in turn. */
function eventBatches(dataset: Dataset, count: number, offset: number, at: number): LoadRequest[] {
  // Types that extend one or all four consents of the catalogue.
  const types = ["email_clicked", "order_placed", "sms_clicked", "loyalty_page_visited"];
  const occurredAt = new Date(at).toISOString();
  return Array.from({ length: count }, (_, b) => {
    const events = Array.from({ length: opts.batchSize }, (_, j) => {
      const n = offset + b * opts.batchSize + j;
      return { profileId: profileId(n % opts.profiles), type: types[n % types.length], occurredAt };
    });
    const key = dataset.eventKeys[(offset + b) % dataset.eventKeys.length];
    return {
      method: "POST",
      path: "/trpc/events.track",
      headers: { Authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    };
  });
}

function sumExtended(result: LoadResult): number {
  let sum = 0;
  for (const answer of result.answers) {
    sum += (JSON.parse(answer.body) as { result: { data: { extended: number } } }).result.data
      .extended;
  }
  return sum;
}

function newTally(): D1Tally {
  return { statements: 0, rowsRead: 0, rowsWritten: 0, unmetered: 0, bySql: {} };
}

/** The metered entry's per-request D1 figures, added up over the answers. */
function tallies(result: LoadResult): D1Tally {
  const total = newTally();
  for (const answer of result.answers) {
    const t = JSON.parse(String(answer.headers["x-bench-d1"])) as D1Tally;
    total.statements += t.statements;
    total.rowsRead += t.rowsRead;
    total.rowsWritten += t.rowsWritten;
    total.unmetered += t.unmetered;
    for (const [sql, s] of Object.entries(t.bySql)) {
      const into = total.bySql[sql] ?? { count: 0, rowsRead: 0, rowsWritten: 0, changes: 0 };
      total.bySql[sql] = into;
      into.count += s.count;
      into.rowsRead += s.rowsRead;
      into.rowsWritten += s.rowsWritten;
      into.changes += s.changes;
    }
  }
  return total;
}

async function lastScheduledTally(): Promise<D1Tally> {
  return (await (await fetch(`${server().url}/__bench/last-scheduled`)).json()) as D1Tally;
}

async function main() {
  log(
    `work dir ${work}; ${fmt(opts.states)} states, ${fmt(opts.profiles)} profiles, ${opts.due} due at T = ${new Date(T).toISOString()}`,
  );

  // --- Snapshots of the Worker: the code as it is now, whatever is edited during the run ------
  let t0 = performance.now();
  const workerBundle = bundle(path.join(work, "bundle"));
  const meteredBundle = bundle(path.join(work, "bundle-metered"), "bench/metered-worker.ts");
  log(`bundled the Worker and the metered entry (${fmt((performance.now() - t0) / 1000, 1)} s)`);

  // --- The data, through D1 -----------------------------------------------------------------
  t0 = performance.now();
  applyMigrations(persistTo);
  log(`migrations applied (${fmt((performance.now() - t0) / 1000, 1)} s)`);
  const sqlDir = path.join(work, "sql");
  mkdirSync(sqlDir);
  const { dataset, files } = await writeDataset(
    {
      states: opts.states,
      profiles: opts.profiles,
      due: opts.due,
      history: opts.history,
      // Round-robin over enough keys keeps each under the local rate limit.
      secretKeys: Math.ceil((opts.ingestBatches * 2 + 50) / CALLS_PER_KEY) + 1,
      publishableKeys: Math.ceil((opts.readSeconds * 6000 + 1000) / CALLS_PER_KEY) + 1,
      scheduledAt: T,
    },
    (name) => path.join(sqlDir, name),
  );
  t0 = performance.now();
  for (const file of files) executeFile(persistTo, file);
  const loadSeconds = (performance.now() - t0) / 1000;
  const [counts, history, consentRows] = queryMany(persistTo, [
    "SELECT status, COUNT(*) AS n FROM consent_state GROUP BY status",
    "SELECT COUNT(*) AS n FROM consent_history",
    `SELECT id, key FROM consent WHERE tenant_id = '${dataset.secrets.tenantId}' ORDER BY key`,
  ]) as [{ status: string; n: number }[], { n: number }[], { id: string; key: string }[]];
  const historyRows = history[0]?.n ?? 0;
  const source = d1File(persistTo);
  log(
    `loaded ${counts.map((c) => `${fmt(c.n)} ${c.status}`).join(", ")} states and ${fmt(historyRows)} history lines through wrangler d1 execute in ${fmt(loadSeconds, 1)} s; ${fmt(dataset.expectedDue)} due at T`,
  );

  // A copy of the fresh D1 for the same night with another chunk size, at the end.
  const comparePersist = path.join(work, "d1-compare");
  if (compareChunkSize > 0) cpSync(persistTo, comparePersist, { recursive: true });

  // --- 2. The limit first, on a copy taken before any run, while nothing else of ours runs ---
  const rawFile = path.join(work, "raw.sqlite");
  copyFileSync(source, rawFile);
  if (exists(`${source}-wal`)) copyFileSync(`${source}-wal`, `${rawFile}-wal`);
  const raw = openRaw(rawFile);
  const storage = storageByTable(raw);
  const rawNightRun = await rawNight(raw, T, chunkSize);
  const rawQuiet = await rawNight(raw, T + MS_PER_DAY, chunkSize);
  raw.close();
  log(
    `raw SQLite: ${fmt(rawNightRun.expired)} expired in ${fmt(rawNightRun.chunks)} chunks, ${fmt(rawNightRun.ms)} ms; nothing-due night ${fmt(rawQuiet.ms, 1)} ms`,
  );

  // --- 1. The nightly run through the real cron path ---------------------------------------
  dev = await startDev({
    persistTo,
    log,
    script: workerBundle,
    ...(opts.chunkSize === undefined ? {} : { vars: { EXPIRY_CHUNK_SIZE: String(chunkSize) } }),
  });
  const memoryBefore = server().peakMemoryKiB();
  const [nightHttpMs, nightCpu] = await withCpu(() => cron(T));
  const memoryAfter = server().peakMemoryKiB();
  const night = readRun(T);
  log(
    `nightly run: ${fmt(night.expired)} expired in ${fmt(night.chunks)} chunks, ${fmt(night.ms)} ms (HTTP ${fmt(nightHttpMs)} ms); D1 rows read ${fmt(night.rows_read)}, written ${fmt(night.rows_written)}`,
  );
  if (night.expired !== dataset.expectedDue || rawNightRun.expired !== dataset.expectedDue) {
    log(`WARNING: ${fmt(dataset.expectedDue)} states were generated due at T`);
  }
  const T1 = T + MS_PER_DAY;
  const [quietHttpMs, quietCpu] = await withCpu(() => cron(T1));
  const quiet = readRun(T1);
  log(
    `nothing-due night: ${fmt(quiet.expired)} expired, ${fmt(quiet.ms)} ms (HTTP ${fmt(quietHttpMs)} ms)`,
  );

  // --- 3. Event ingest -----------------------------------------------------------------------
  // The timed passes are dated yesterday and the metered pass later today, so that the
  // metered one extends states again whatever the sizes.
  const eventsAt = Date.now() - MS_PER_DAY;
  const warmup = eventBatches(dataset, 2, opts.profiles - 2 * opts.batchSize, eventsAt);
  await runLoad({
    url: server().url,
    connections: 1,
    requests: warmup.length,
    seconds: 60,
    next: (i) => warmup[i] as LoadRequest,
  });
  const batches = eventBatches(dataset, opts.ingestBatches, 0, eventsAt);
  const ingestPass = () =>
    runLoad({
      url: server().url,
      connections: opts.ingestConnections,
      requests: batches.length,
      seconds: 600,
      next: (i) => batches[i] as LoadRequest,
      keepAnswers: true,
    });
  const [extending, extendingCpu] = await withCpu(ingestPass);
  const [repeats, repeatsCpu] = await withCpu(ingestPass);
  const extendingStates = sumExtended(extending);
  const repeatStates = sumExtended(repeats);
  const extendRate = (extending.requests * opts.batchSize) / extending.seconds;
  const repeatRate = (repeats.requests * opts.batchSize) / repeats.seconds;
  log(
    `ingest: ${fmt(extendRate)} events/s extending (${fmt(extendingStates)} states extended), ${fmt(repeatRate)} events/s repeating (${fmt(repeatStates)} extended)`,
  );

  // --- 4. Storefront reads ---------------------------------------------------------------
  const readers = 2000;
  const tokens = await Promise.all(
    Array.from({ length: readers }, async (_, i) => {
      const id = profileId(Math.floor((i * opts.profiles) / readers));
      const token = await signProfileToken({
        secret: dataset.secrets.signingSecret,
        kid: dataset.secrets.signingKid,
        profileId: id,
        ttlSeconds: 3600,
      });
      return { id, token };
    }),
  );
  let readCalls = 0;
  const readRequest = (i: number): LoadRequest => {
    const reader = tokens[i % readers] as { id: string; token: string };
    const key = dataset.publishableKeys[readCalls++ % dataset.publishableKeys.length] as string;
    return {
      method: "GET",
      path: `/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ profileId: reader.id }))}`,
      headers: { Authorization: `Bearer ${key}`, "X-Lapse-Profile-Token": reader.token },
    };
  };
  await runLoad({
    url: server().url,
    connections: opts.readConnections,
    requests: 500,
    seconds: 30,
    next: readRequest,
  });
  // One connection: the latency of a call that waits for no other.
  const alone = await runLoad({
    url: server().url,
    connections: 1,
    requests: 1000,
    seconds: Math.max(2, opts.readSeconds / 3),
    next: readRequest,
  });
  const [reads, readsCpu] = await withCpu(() =>
    runLoad({
      url: server().url,
      connections: opts.readConnections,
      requests: dataset.publishableKeys.length * CALLS_PER_KEY - readCalls - 100,
      seconds: opts.readSeconds,
      next: readRequest,
    }),
  );
  log(
    `profile.get: ${fmt(reads.perSecond)} req/s, p50 ${fmt(reads.p50, 1)} ms, p99 ${fmt(reads.p99, 1)} ms, non-200 ${JSON.stringify(reads.failures)}`,
  );
  // The runtime's own floor: the cheapest route, at the same concurrency.
  const [healthz, healthzCpu] = await withCpu(() =>
    runLoad({
      url: server().url,
      connections: opts.readConnections,
      requests: 100_000,
      seconds: Math.max(3, opts.readSeconds / 3),
      next: () => ({ method: "GET", path: "/healthz", headers: {} }),
    }),
  );
  log(
    `/healthz: ${fmt(healthz.perSecond)} req/s, p50 ${fmt(healthz.p50, 1)} ms, p99 ${fmt(healthz.p99, 1)} ms`,
  );
  const healthzAlone = await runLoad({
    url: server().url,
    connections: 1,
    requests: 1000,
    seconds: Math.max(2, opts.readSeconds / 3),
    next: () => ({ method: "GET", path: "/healthz", headers: {} }),
  });
  const peakMemory = server().peakMemoryKiB();
  await server().stop();
  dev = null;

  // --- Rows per request and per statement, and the naive way: the metered entry point -------
  dev = await startDev({ persistTo, log, script: meteredBundle });
  await cron(T + 2 * MS_PER_DAY);
  const quietTally = await lastScheduledTally();
  const meteredCalls = 10;
  const meterBatches = eventBatches(
    dataset,
    meteredCalls,
    (opts.ingestBatches + 1) * opts.batchSize,
    Date.now() - 60_000,
  );
  const meterPass = () =>
    runLoad({
      url: server().url,
      connections: 1,
      requests: meterBatches.length,
      seconds: 120,
      next: (i) => meterBatches[i] as LoadRequest,
      keepAnswers: true,
    });
  const meteredExtending = await meterPass();
  const meteredRepeats = await meterPass();
  const extendTally = tallies(meteredExtending);
  const repeatTally = tallies(meteredRepeats);
  const meteredExtended = sumExtended(meteredExtending);
  const meteredEvents = meteredCalls * opts.batchSize;
  const meteredReads = await runLoad({
    url: server().url,
    connections: 1,
    requests: 20,
    seconds: 30,
    next: readRequest,
    keepAnswers: true,
  });
  const readTally = tallies(meteredReads);
  // A second due night, metered statement by statement: where the rows of a chunk go.
  const T40 = T + 40 * MS_PER_DAY;
  await cron(T40);
  const dueTally = await lastScheduledTally();
  const dueNight = readRun(T40);
  // What hashing the proof chain costs in workerd, per entry (the real `link`).
  const chainEntries = 20_000;
  const [, chainCpu] = await withCpu(() =>
    fetch(`${server().url}/__bench/chain?n=${chainEntries}`),
  );
  // What one D1 round trip costs the local runtime (`SELECT 1`, one after the other).
  const roundTrips = 2000;
  const [, roundTripCpu] = await withCpu(() => fetch(`${server().url}/__bench/d1?n=${roundTrips}`));
  // 5. The naive way, on accepted states of one consent not extended since yesterday.
  const newsletter = consentRows.find((c) => c.key === "newsletter") ?? consentRows[0];
  if (!newsletter) throw new Error("No consent was loaded.");
  const naive = (await (
    await fetch(`${server().url}/__bench/naive`, {
      method: "POST",
      body: JSON.stringify({
        tenantId: dataset.secrets.tenantId,
        consentId: newsletter.id,
        throughDay: runDay - 2,
        limit: opts.naive,
        at: T + 60 * MS_PER_DAY,
      }),
    })
  ).json()) as D1Tally & { states: number; ms: number };
  log(`naive: ${fmt(naive.states)} states, one UPDATE each, in ${fmt(naive.ms)} ms`);
  await server().stop();
  dev = null;

  // --- The same night on the fresh copy, with another chunk size --------------------------
  let compare: (ReturnType<typeof readRun> & { cpu: Cpu; chunkSize: number }) | null = null;
  if (compareChunkSize > 0) {
    dev = await startDev({
      persistTo: comparePersist,
      log,
      script: workerBundle,
      vars: { EXPIRY_CHUNK_SIZE: String(compareChunkSize) },
    });
    const [, compareCpu] = await withCpu(() => cron(T));
    await server().stop();
    dev = null;
    compare = { ...readRun(T, comparePersist), cpu: compareCpu, chunkSize: compareChunkSize };
    log(
      `the night at T with chunks of ${fmt(compareChunkSize)}: ${fmt(compare.expired)} expired in ${fmt(compare.ms)} ms`,
    );
  }

  // --- The table -------------------------------------------------------------------------
  const lapseRate = night.expired / (night.ms / 1000);
  const rawRate = rawNightRun.expired / (rawNightRun.ms / 1000);
  const rowsReadPerExpired = night.rows_read / night.expired;
  const quietRowsPerConsent = quietTally.rowsRead / Math.max(1, quiet.consents);
  const naiveRate = naive.states / (naive.ms / 1000);
  const events = opts.ingestBatches * opts.batchSize;
  const cpuPerCall = (cpu: Cpu, calls: number, digits: number) =>
    `${fmt(cpu.workerd / calls, digits)} / ${fmt(cpu.wrangler / calls, digits)} / ${fmt(cpu.client / calls, digits)} ms`;
  const rows: [string, string, string?, boolean?][] = [
    [
      "data",
      `${fmt(opts.states)} accepted states (${dataset.consents} consents × ${fmt(opts.profiles)} profiles), ${fmt(historyRows)} history lines`,
    ],
    ["  load through wrangler d1 execute", `${fmt(loadSeconds, 1)} s`],
    [
      "  storage (dbstat, indexes included)",
      `${fmt((storage.consent_state ?? 0) / opts.states)} B / state, ${fmt((storage.consent_history ?? 0) / Math.max(1, historyRows))} B / history line, ${fmt((storage.history_head ?? 0) / opts.profiles)} B / chain head; ${fmt(Object.values(storage).reduce((a, b) => a + b, 0) / 2 ** 20)} MiB in all`,
    ],
    [
      "nightly run, cron path",
      `${fmt(night.expired)} expired, ${fmt(night.chunks)} chunks of ${fmt(chunkSize)}, ${fmt(night.ms / 1000, 2)} s`,
    ],
    ["  states expired / s", fmt(lapseRate), "≥ 20,000", lapseRate >= 20_000],
    ["  D1 rows read / expired state", fmt(rowsReadPerExpired, 2), "≤ 3", rowsReadPerExpired <= 3],
    ["  D1 rows written / expired state", fmt(night.rows_written / night.expired, 2)],
    [
      "  CPU ms / 1,000 expired: workerd / wrangler",
      `${fmt((nightCpu.workerd * 1000) / night.expired)} / ${fmt((nightCpu.wrangler * 1000) / night.expired)}`,
    ],
    [
      "  workerd peak RSS (VmHWM)",
      `${fmt(memoryAfter / 1024)} MiB (${fmt(memoryBefore / 1024)} MiB before the run)`,
    ],
    [
      "raw SQLite, same code (node:sqlite)",
      `${fmt(rawNightRun.ms / 1000, 2)} s, ${fmt(rawRate)} states/s`,
    ],
    [
      "  Lapse / raw SQLite (time)",
      `${fmt(night.ms / rawNightRun.ms, 2)}×`,
      "≤ 3×",
      night.ms / rawNightRun.ms <= 3,
    ],
    [
      "night with nothing due",
      `${fmt(quiet.ms)} ms, workerd CPU ${fmt(quietCpu.workerd)} ms (raw SQLite ${fmt(rawQuiet.ms, 1)} ms)`,
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
    ["  events / s", fmt(extendRate), "≥ 10,000", extendRate >= 10_000],
    ["  latency / call p50 / p99", `${fmt(extending.p50, 1)} / ${fmt(extending.p99, 1)} ms`],
    [
      "  CPU / call: workerd / wrangler / load gen.",
      cpuPerCall(extendingCpu, extending.requests, 1),
    ],
    ["  states extended / event", fmt(extendingStates / events, 2)],
    ["  D1 rows written / event (metered)", fmt(extendTally.rowsWritten / meteredEvents, 2)],
    ["  D1 rows read / event (metered)", fmt(extendTally.rowsRead / meteredEvents, 2)],
    ["ingest: the same calls again (same day)", `${fmt(repeatRate)} events/s`],
    ["  latency / call p50 / p99", `${fmt(repeats.p50, 1)} / ${fmt(repeats.p99, 1)} ms`],
    ["  CPU / call: workerd / wrangler / load gen.", cpuPerCall(repeatsCpu, repeats.requests, 1)],
    [
      "  states extended; D1 rows written (metered)",
      `${fmt(repeatStates)}; ${fmt(repeatTally.rowsWritten)}`,
      "0",
      repeatStates === 0 && repeatTally.rowsWritten === 0,
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
    ["  CPU / call: workerd / wrangler / load gen.", cpuPerCall(readsCpu, reads.requests, 2)],
    [
      "  at 1 connection: requests / s, p50 / p99",
      `${fmt(alone.perSecond)}, ${fmt(alone.p50, 1)} / ${fmt(alone.p99, 1)} ms`,
    ],
    [
      "  D1 statements / call (metered)",
      fmt((readTally.statements + readTally.unmetered) / meteredReads.requests, 1),
    ],
    [
      "naive: one UPDATE per state, from a Worker",
      `${fmt(naive.states)} states in ${fmt(naive.ms / 1000, 2)} s, ${fmt(naiveRate)} states/s`,
    ],
    ["  naive / Lapse, time per state", `${fmt(lapseRate / naiveRate, 1)}×`],
    [
      "  /healthz at the same concurrency",
      `${fmt(healthz.perSecond)} req/s, p50 / p99 ${fmt(healthz.p50, 1)} / ${fmt(healthz.p99, 1)} ms, CPU / call ${cpuPerCall(healthzCpu, healthz.requests, 2)}`,
    ],
    [
      "  /healthz at 1 connection",
      `${fmt(healthzAlone.perSecond)} req/s, p50 / p99 ${fmt(healthzAlone.p50, 1)} / ${fmt(healthzAlone.p99, 1)} ms`,
    ],
    [
      "one local D1 round trip (SELECT 1)",
      `${fmt(roundTripCpu.workerd / roundTrips, 2)} ms workerd CPU`,
    ],
    [
      "proof chain: link() in workerd",
      `${fmt((chainCpu.workerd * 1000) / chainEntries)} ms CPU / 1,000 entries`,
    ],
    [
      `the same night with chunks of ${fmt(compareChunkSize)}`,
      compare
        ? `${fmt(compare.expired / (compare.ms / 1000))} states/s (${fmt(compare.expired / (compare.ms / 1000) / lapseRate, 2)}×), ${fmt(compare.chunks)} chunks, ${fmt(compare.rows_read / compare.expired, 2)} rows read / state, ${fmt((compare.cpu.workerd * 1000) / compare.expired)} ms workerd CPU / 1,000`
        : "skipped",
    ],
    ["workerd peak RSS over the session", `${fmt(peakMemory / 1024)} MiB`],
  ];
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
  for (const c of cells) console.log(line(c));

  const breakdown = (title: string, tally: D1Tally, per: number, unit: string) => {
    console.log(`\n${title}`);
    const entries = Object.entries(tally.bySql).sort((a, b) => b[1].rowsRead - a[1].rowsRead);
    for (const [sql, f] of entries) {
      console.log(
        `  ${sql.padEnd(50)} ×${String(f.count).padStart(5)}  read ${fmt(f.rowsRead / per, 2).padStart(8)}  written ${fmt(f.rowsWritten / per, 2).padStart(7)}  ${unit}`,
      );
    }
  };
  breakdown(
    `Where D1's rows go, per statement: a metered due night at T + 40 d (${fmt(dueNight.expired)} expired, ${fmt(dueNight.chunks)} chunks), per expired state`,
    dueTally,
    Math.max(1, dueNight.expired),
    "/ state",
  );
  console.log(
    `\nWhere raw SQLite's time goes, the night at T (${fmt(rawNightRun.ms)} ms in all; the rest is JavaScript: hashing, JSON, drizzle)`,
  );
  for (const [sql, t] of Object.entries(rawNightRun.timeBySql).sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `  ${sql.padEnd(50)} ×${String(t.count).padStart(5)}  ${fmt(t.ms).padStart(8)} ms  ${fmt((t.ms * 1000) / Math.max(1, rawNightRun.expired), 1).padStart(7)} µs / state`,
    );
  }
  breakdown(
    `A metered night with nothing due (T + 2 d), per consent (${quiet.consents})`,
    quietTally,
    Math.max(1, quiet.consents),
    "/ consent",
  );
  breakdown(
    `events.track, ${fmt(meteredEvents)} metered events (${fmt(meteredExtended)} states extended), per event`,
    extendTally,
    meteredEvents,
    "/ event",
  );
  breakdown(
    "profile.get, per call (raw()/first() reads are not metered)",
    readTally,
    meteredReads.requests,
    "/ call",
  );

  if (flags.json) {
    const strip = ({ answers: _answers, ...rest }: LoadResult) => rest;
    writeFileSync(
      flags.json,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { cpu: cpus()[0]?.model, cpus: availableParallelism(), memory: totalmem() },
          options: opts,
          chunkSize,
          dataset: {
            storage,
            consents: dataset.consents,
            expectedDue: dataset.expectedDue,
            historyRows,
            loadSeconds,
          },
          night: {
            ...night,
            httpMs: nightHttpMs,
            cpu: nightCpu,
            memoryBeforeKiB: memoryBefore,
            memoryAfterKiB: memoryAfter,
          },
          raw: { night: rawNightRun, quiet: rawQuiet },
          quiet: { ...quiet, httpMs: quietHttpMs, cpu: quietCpu, metered: quietTally },
          ingest: {
            extending: { ...strip(extending), cpu: extendingCpu, extended: extendingStates },
            repeats: { ...strip(repeats), cpu: repeatsCpu, extended: repeatStates },
            metered: {
              events: meteredEvents,
              extended: meteredExtended,
              extending: extendTally,
              repeats: repeatTally,
            },
          },
          reads: { ...strip(reads), cpu: readsCpu, metered: readTally, alone: strip(alone) },
          meteredDueNight: { ...dueNight, metered: dueTally },
          naive,
          compare,
          healthz: { ...strip(healthz), cpu: healthzCpu, alone: strip(healthzAlone) },
          chain: { entries: chainEntries, cpu: chainCpu },
          d1RoundTrip: { roundTrips, cpu: roundTripCpu },
          peakMemoryKiB: peakMemory,
        },
        null,
        2,
      )}\n`,
    );
  }
}

try {
  await main();
} finally {
  await cleanup();
}
