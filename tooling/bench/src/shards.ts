// The sharded layout (issue 14, `--shards N`): the bench's data set (the same profiles, states
// and due states as the 1-shard run) on a tenant that spans N data shards, in a layout of its
// own. A wrangler config generated in the work dir binds DB and SHARD_0 … SHARD_N (the real
// config's, plus added ones with their own database ids and the data migrations, as
// `pnpm shards:add` adds them): N for the tenant and one more that holds nobody's data, so
// the meter can show that nothing reads it. Its D1s get their own --persist-to and the real
// migrations; the added shards are registered in the shard map as shards:add does; the
// tenant is provisioned with `shards: N` (provisionTenant places it on N slots); and each
// slot's profiles (`slotOf`, the API's routing) are seeded into that slot's shard, each with
// its own sealed log, signed with the origin the sealer uses: `<PROOF_ORIGIN>/<tenant id>`
// for slot 0 and `<PROOF_ORIGIN>/<tenant id>/<slot>` for the others (services/proof/keys.ts).
// Measured: the night at T through the real cron path (the inline run works on every shard
// at once) and the night after, per shard from expiry_run_consent; that every due state
// expired exactly once with one expiry entry; storage per shard; and D1's rows per binding
// on the metered entry (a quiet night, events.track for one slot's profiles and for all, a
// second due night).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type D1Tally, slotOf } from "@lapse/api/bench";
import { localD1File } from "@lapse/dev/d1";
import { applyMigrations, migratedD1Bindings } from "@lapse/dev/wrangler";
import { API_CONFIG, type Bench, type Cpu, fmt, MS_PER_DAY, withCpu } from "./bench.ts";
import {
  type Dataset,
  type Layout,
  type Placed,
  PROOF_ORIGIN,
  profileId,
  provision,
  seedSigned,
} from "./dataset.ts";
import { checkExpiry, type ExpiryCheck, sumChecks } from "./expiry-check.ts";
import { EVENT_TYPES, sumExtended } from "./ingest.ts";
import { type LoadRequest, runLoad } from "./load.ts";
import { lastScheduledTally, tallies } from "./metered.ts";
import { cron, type RunRecord, readRun } from "./night.ts";
import { readCatalogue, type SeedConsent } from "./seed.ts";
import { LINE_TABLES, type StorageSnapshot, snapshotStorage } from "./storage.ts";
import { measureVerify, type VerifyFigures } from "./verify.ts";

const SHARD_BINDING = /^SHARD_([0-9]+)$/;

/** One data shard of the sharded layout: its slot of the tenant (none for the spare). */
export interface ShardSeed extends Placed {
  profiles: number;
  states: number;
  due: number;
  entries: number;
  tiles: number;
}

export interface ShardedLayout extends Layout {
  count: number;
  /** The tenant's slots, in order; each on its own shard. */
  placement: Placed[];
  /** Bound, migrated, in the shard map, and holding no tenant's data. */
  spare: string;
  tenantId: string;
  eventKeys: string[];
  consents: SeedConsent[];
  /** Profile numbers (profileId(i)) by slot. */
  profilesBySlot: number[][];
  seeded: ShardSeed[];
  seedSeconds: number;
  /** The proof keys the logs were signed with (history:verify checks them). */
  proofVars: Dataset["proofVars"];
}

/** One shard's share of a run, from its expiry_run_consent rows. */
export interface ShardRun {
  binding: string;
  consents: number;
  expired: number;
  chunks: number;
  /** The shard's consents one after the other: the sum of their durations. */
  ms: number;
  statesPerSecond: number;
  rowsRead: number;
  rowsWritten: number;
}

export interface ShardedNight extends RunRecord {
  httpMs: number;
  cpu: Cpu;
  statesPerSecond: number;
  perShard: ShardRun[];
}

export interface ShardedFigures {
  count: number;
  spare: string;
  seeded: ShardSeed[];
  seedSeconds: number;
  night: ShardedNight;
  quiet: ShardedNight;
  checks: { binding: string; check: ExpiryCheck }[];
  check: ExpiryCheck;
  /** history:verify of the tenant's logs (one per slot) after the night. */
  verify: VerifyFigures;
  storage: {
    /** Every data shard's tables over all states (the tenant's share of N logs included). */
    bytesPerState: number;
    bytesPerHistoryLine: number;
    perShard: { binding: string; states: number; bytesPerState: number; mib: number }[];
  };
  metered: {
    quiet: D1Tally;
    /** events.track calls whose profiles are all in slot 0. */
    slotEvents: { binding: string; events: number; extended: number; tally: D1Tally };
    /** events.track calls over every slot's profiles. */
    mixedEvents: { events: number; extended: number; tally: D1Tally };
    due: D1Tally;
    dueNight: RunRecord;
  };
}

/** The real config's text with SHARD_<k> bindings added up to SHARD_<last> and paths made relative to `dir`. */
function shardedConfigText(dir: string, last: number): string {
  const apiDir = path.dirname(API_CONFIG);
  const from = (p: string) => JSON.stringify(path.relative(dir, path.resolve(apiDir, p)));
  let text = readFileSync(API_CONFIG, "utf8")
    .replace(/^\s*"\$schema".*\n/m, "")
    .replace(/"main": "([^"]+)"/, (_, p: string) => `"main": ${from(p)}`)
    .replace(/"directory": "([^"]+)"/, (_, p: string) => `"directory": ${from(p)}`)
    .replaceAll(/"migrations_dir": "([^"]+)"/g, (_, p: string) => `"migrations_dir": ${from(p)}`);
  const bound = migratedD1Bindings({ config: API_CONFIG })
    .map((b) => SHARD_BINDING.exec(b)?.[1])
    .filter((n) => n !== undefined)
    .map(Number);
  const added: string[] = [];
  for (let k = Math.max(-1, ...bound) + 1; k <= last; k++) {
    added.push(
      JSON.stringify({
        binding: `SHARD_${k}`,
        database_name: `lapse-shard-${k}`,
        // As the real config's shard ids: ...0100 for SHARD_0.
        database_id: `00000000-0000-0000-0000-${String(100 + k).padStart(12, "0")}`,
        migrations_dir: JSON.parse(from("migrations/data")) as string,
      }),
    );
  }
  if (added.length > 0) {
    const start = text.indexOf('"d1_databases"');
    const close = text.indexOf("]", text.indexOf("[", start));
    const last = text.lastIndexOf("}", close);
    if (start < 0 || close < 0 || last < start) {
      throw new Error(`${API_CONFIG} has no d1_databases list to add shards to.`);
    }
    text = `${text.slice(0, last + 1)},\n    ${added.join(",\n    ")}${text.slice(last + 1)}`;
  }
  return text;
}

/** The checkpoint origin of slot `slot` of a tenant's logs, as the sealer signs it. */
export function slotOrigin(tenantId: string, slot: number): string {
  return slot === 0 ? `${PROOF_ORIGIN}/${tenantId}` : `${PROOF_ORIGIN}/${tenantId}/${slot}`;
}

/**
 * Builds the sharded layout: config, migrations, shard map, the tenant on `count` slots, and
 * each slot's share of the data set seeded and sealed on its shard with the run's proof key.
 */
export async function loadSharded(
  bench: Bench,
  dataset: Dataset,
  count: number,
): Promise<ShardedLayout> {
  const { opts } = bench;
  const dir = path.join(bench.work, "sharded");
  const layout: Layout = {
    config: path.join(dir, "wrangler.jsonc"),
    persistTo: path.join(dir, "d1"),
  };
  let t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  writeFileSync(layout.config, shardedConfigText(dir, count));
  await applyMigrations(layout);
  const bindings = migratedD1Bindings({ config: layout.config }).filter((b) =>
    SHARD_BINDING.test(b),
  );
  // The shards the control plane's migration does not list, added as `pnpm shards:add` does.
  await bench.query(
    (db) =>
      db.batch([
        {
          sql: `INSERT INTO shard (num, binding, name, jurisdiction, added_at)
            SELECT value ->> 'num', value ->> 'binding', value ->> 'name', NULL, ?2
            FROM json_each(?1) WHERE value ->> 'binding' NOT IN (SELECT binding FROM shard)`,
          params: [
            JSON.stringify(
              bindings.map((b) => ({
                num: Number(b.slice("SHARD_".length)),
                binding: b,
                name: `lapse-shard-${b.slice("SHARD_".length)}`,
              })),
            ),
            Date.now(),
          ],
        },
      ]),
    layout,
  );
  bench.log(
    `sharded layout: ${bindings.length} data shards migrated and in the shard map (${fmt((performance.now() - t0) / 1000, 1)} s)`,
  );
  const { placement, secrets, eventKeys } = await provision(
    bench,
    (bench.runDay - 1500) * MS_PER_DAY,
    { layout, shards: count },
  );
  const spare = bindings.find((b) => !placement.some((p) => p.binding === b));
  if (!spare) {
    throw new Error("The sharded layout has no data shard left outside the tenant's placement.");
  }
  const control = new DatabaseSync(localD1File(layout.config, layout.persistTo));
  let catalogue: ReturnType<typeof readCatalogue>;
  try {
    catalogue = readCatalogue(control, opts.consents);
  } finally {
    control.close();
  }
  const profilesBySlot: number[][] = placement.map(() => []);
  for (let i = 0; i < opts.profiles; i++) {
    profilesBySlot[slotOf(secrets.tenantId, profileId(i), count)]?.push(i);
  }

  t0 = performance.now();
  const seeded: ShardSeed[] = [];
  for (const { slot, binding } of placement) {
    const mine = new Set(profilesBySlot[slot]);
    const figures = await seedSigned(bench, {
      file: localD1File(layout.config, layout.persistTo, binding),
      tenant: catalogue,
      origin: slotOrigin(secrets.tenantId, slot),
      signingKey: dataset.proofVars.PROOF_SIGNING_KEY,
      keep: (i) => mine.has(i),
    });
    seeded.push({
      slot,
      binding,
      profiles: figures.profiles,
      states: figures.states,
      due: figures.due,
      entries: figures.entries,
      tiles: figures.tiles,
    });
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  bench.log(
    `sharded layout: seeded ${seeded.map((s) => `${s.binding} (slot ${s.slot}) ${fmt(s.states)} states, ${fmt(s.due)} due`).join("; ")} in ${fmt(seedSeconds, 1)} s; ${spare} holds nothing`,
  );
  const due = seeded.reduce((n, s) => n + s.due, 0);
  if (due !== dataset.expectedDue) {
    bench.log(`WARNING: ${fmt(due)} due on the shards, ${fmt(dataset.expectedDue)} on one shard`);
  }
  return {
    ...layout,
    count,
    placement,
    spare,
    tenantId: secrets.tenantId,
    eventKeys,
    consents: catalogue.consents,
    profilesBySlot,
    seeded,
    seedSeconds,
    proofVars: dataset.proofVars,
  };
}

/** Each shard's share of run `runId` (expiry_run_consent has one row per consent and shard). */
async function perShard(bench: Bench, runId: string, layout: Layout): Promise<ShardRun[]> {
  const rows = await bench.query(
    (db) =>
      db.all<Omit<ShardRun, "statesPerSecond">>({
        sql: `SELECT shard AS binding, COUNT(*) AS consents, SUM(expired) AS expired,
            SUM(chunks) AS chunks, SUM(duration_ms) AS ms, SUM(rows_read) AS rowsRead,
            SUM(rows_written) AS rowsWritten
          FROM expiry_run_consent WHERE run_id = ?1 GROUP BY shard`,
        params: [runId],
      }),
    layout,
  );
  return rows
    .map((r) => ({ ...r, statesPerSecond: r.expired / (Math.max(1, r.ms) / 1000) }))
    .sort((a, b) => a.binding.localeCompare(b.binding, "en", { numeric: true }));
}

async function night(
  bench: Bench,
  layout: Layout,
  scheduledAt: number,
  httpMs: number,
  cpu: Cpu,
): Promise<ShardedNight> {
  const run = await readRun(bench, scheduledAt, layout);
  return {
    ...run,
    httpMs,
    cpu,
    statesPerSecond: run.expired / (httpMs / 1000),
    perShard: await perShard(bench, run.id, layout),
  };
}

/** events.track calls of `batchSize` events over `profiles` (numbers), dated `at`. */
function eventCalls(
  bench: Bench,
  keys: string[],
  profiles: number[],
  calls: number,
  at: number,
): LoadRequest[] {
  const { batchSize } = bench.opts;
  const occurredAt = new Date(at).toISOString();
  return Array.from({ length: calls }, (_, b) => ({
    method: "POST",
    path: "/trpc/events.track",
    headers: { Authorization: `Bearer ${keys[b % keys.length]}` },
    body: JSON.stringify({
      // The 1-shard run's mix (ingest.ts): the event types in turn.
      events: Array.from({ length: batchSize }, (_, j) => ({
        profileId: profileId(profiles[(b * batchSize + j) % profiles.length] as number),
        type: EVENT_TYPES[(b * batchSize + j) % EVENT_TYPES.length],
        occurredAt,
      })),
    }),
  }));
}

/**
 * The sharded layout's measurements: the nights with the real Worker (`script`, the 1-shard
 * run's bundle and vars), the checks and storage with nothing running, then the meter.
 */
export async function measureSharded(
  bench: Bench,
  layout: ShardedLayout,
  scripts: { worker: string; metered: string; vars?: Record<string, string> },
): Promise<ShardedFigures> {
  const storageOf = () =>
    layout.placement.map((p) => ({ ...p, snapshot: snapshotStorage(bench, p.binding, layout) }));
  const loaded = storageOf();
  const served = { config: layout.config, persistTo: layout.persistTo };
  const T1 = bench.T + MS_PER_DAY;
  const timed = await bench.serve(
    { script: scripts.worker, ...served, ...(scripts.vars ? { vars: scripts.vars } : {}) },
    async (server) => {
      const [httpMs, cpu] = await withCpu(server, () => cron(server, bench.T));
      const [quietMs, quietCpu] = await withCpu(server, () => cron(server, T1));
      return { httpMs, cpu, quietMs, quietCpu };
    },
  );
  const nightAtT = await night(bench, layout, bench.T, timed.httpMs, timed.cpu);
  const quiet = await night(bench, layout, T1, timed.quietMs, timed.quietCpu);
  bench.log(
    `sharded night: ${fmt(nightAtT.expired)} expired in ${fmt(nightAtT.chunks)} chunks, ${fmt(nightAtT.httpMs)} ms (${fmt(nightAtT.statesPerSecond)} states/s); ${nightAtT.perShard.map((s) => `${s.binding} ${fmt(s.expired)} in ${fmt(s.ms)} ms`).join(", ")}; nothing-due night ${fmt(quiet.httpMs)} ms`,
  );

  const checks = layout.seeded.map((s) => ({
    binding: s.binding,
    check: checkExpiry(
      localD1File(layout.config, layout.persistTo, s.binding),
      layout.consents,
      bench.runDay,
      s.due,
    ),
  }));
  const check = sumChecks(checks.map((c) => c.check));
  bench.log(
    `sharded night, exactly once: ${fmt(check.due)} due, ${fmt(check.expired)} expired, ${fmt(check.entries)} expiry entries naming ${fmt(check.entryStates)} states, ${fmt(check.unmatched)} without exactly one entry, ${fmt(check.notDue)} not due, ${fmt(check.left)} left`,
  );
  const after = storageOf();
  const verify = await measureVerify(
    bench,
    { tenantId: layout.tenantId, proofVars: layout.proofVars },
    after.reduce((n, s) => n + s.snapshot.entries, 0),
    { config: layout.config, persistTo: layout.persistTo },
  );
  const sum = (s: StorageSnapshot) => Object.values(s.byTable).reduce((a, b) => a + b, 0);
  const states = layout.seeded.reduce((n, s) => n + s.states, 0);
  const bytesLoaded = loaded.reduce((n, s) => n + sum(s.snapshot), 0);
  const linesAppended =
    after.reduce((n, s) => n + s.snapshot.entries, 0) -
    loaded.reduce((n, s) => n + s.snapshot.entries, 0);
  // What a further line adds: the log tables' growth on every shard (storage.ts).
  const logBytes = (list: typeof loaded) =>
    list.reduce((n, s) => n + LINE_TABLES.reduce((m, t) => m + (s.snapshot.byTable[t] ?? 0), 0), 0);
  const storage = {
    bytesPerState: bytesLoaded / states,
    bytesPerHistoryLine: (logBytes(after) - logBytes(loaded)) / Math.max(1, linesAppended),
    perShard: loaded.map((s) => {
      const seededShard = layout.seeded.find((x) => x.binding === s.binding);
      const n = seededShard?.states ?? 0;
      return {
        binding: s.binding,
        states: n,
        bytesPerState: sum(s.snapshot) / Math.max(1, n),
        mib: sum(s.snapshot) / 2 ** 20,
      };
    }),
  };

  const metered = await bench.serve({ script: scripts.metered, ...served }, async (server) => {
    await cron(server, bench.T + 2 * MS_PER_DAY);
    const quietTally = await lastScheduledTally(server);
    const calls = 5;
    const at = Date.now() - 60_000;
    const [slot0] = layout.placement;
    const pass = async (requests: LoadRequest[]) => {
      const result = await runLoad({
        url: server.url,
        connections: 1,
        requests: requests.length,
        seconds: 120,
        next: (i) => requests[i] as LoadRequest,
        keepAnswers: true,
      });
      return {
        events: result.requests * bench.opts.batchSize,
        extended: sumExtended(result),
        tally: tallies(result),
      };
    };
    const slotEvents = await pass(
      eventCalls(bench, layout.eventKeys, layout.profilesBySlot[0] ?? [], calls, at),
    );
    // Every slot's profiles, in number order (they interleave across the slots).
    const everyone = Array.from({ length: bench.opts.profiles }, (_, i) => i).slice(
      bench.opts.profiles - calls * bench.opts.batchSize,
    );
    const mixedEvents = await pass(eventCalls(bench, layout.eventKeys, everyone, calls, at));
    const T40 = bench.T + 40 * MS_PER_DAY;
    await cron(server, T40);
    return {
      quiet: quietTally,
      slotEvents: { binding: slot0?.binding ?? "?", ...slotEvents },
      mixedEvents,
      due: await lastScheduledTally(server),
    };
  });
  const dueNight = await readRun(bench, bench.T + 40 * MS_PER_DAY, layout);
  bench.log(
    `sharded layout metered: a quiet night, ${fmt(metered.slotEvents.events + metered.mixedEvents.events)} events, a due night (${fmt(dueNight.expired)} expired)`,
  );
  return {
    count: layout.count,
    spare: layout.spare,
    seeded: layout.seeded,
    seedSeconds: layout.seedSeconds,
    night: nightAtT,
    quiet,
    checks,
    check,
    verify,
    storage,
    metered: { ...metered, dueNight },
  };
}
