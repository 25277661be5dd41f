// A bench-only entry point (bundled by the bench driver in tooling/bench, served by
// `wrangler dev --no-bundle`): the real Worker, with each of its D1 bindings (the control plane
// and every data shard) wrapped to add up D1's own `rows_read` and `rows_written` of every
// statement a request or a cron run makes, in all and per binding. The timed measurements use
// the real entry point; this one counts rows and hosts the naive expiry for comparison. Never
// deployed.
import { appendToTiles, leafHashes, type ReadTile, webCryptoSha256Many } from "@lapse/proof";
import { boundShards, shardResolver } from "../src/db/shards.ts";
import worker from "../src/index.ts";
import { encodeEntryFast } from "../src/services/proof/fast-encode.ts";
import { type D1Tally, newTally } from "./d1-tally.ts";

function label(sql: string): string {
  return sql.replaceAll(/\s+/g, " ").trim().slice(0, 48);
}

function add(tally: D1Tally, binding: string, sql: string, result: D1Result | undefined): void {
  const rowsRead = result?.meta.rows_read ?? 0;
  const rowsWritten = result?.meta.rows_written ?? 0;
  tally.statements += 1;
  tally.rowsRead += rowsRead;
  tally.rowsWritten += rowsWritten;
  const database = tally.byBinding[binding] ?? { statements: 0, rowsRead: 0, rowsWritten: 0 };
  tally.byBinding[binding] = database;
  database.statements += 1;
  database.rowsRead += rowsRead;
  database.rowsWritten += rowsWritten;
  const key = label(sql);
  const entry = tally.bySql[key] ?? { count: 0, rowsRead: 0, rowsWritten: 0, changes: 0 };
  tally.bySql[key] = entry;
  entry.count += 1;
  entry.rowsRead += rowsRead;
  entry.rowsWritten += rowsWritten;
  entry.changes += result?.meta.changes ?? 0;
}

/** The SQL text of each metered statement, for the per-statement figures. */
const sqlOf = new WeakMap<D1PreparedStatement, string>();

/** Patches one statement (and those its `bind` returns) to count; batches take it as is. */
function meterStatement(
  statement: D1PreparedStatement,
  sql: string,
  tally: D1Tally,
  binding: string,
): D1PreparedStatement {
  sqlOf.set(statement, sql);
  const original = {
    bind: statement.bind.bind(statement),
    run: statement.run.bind(statement),
    all: statement.all.bind(statement),
    first: statement.first.bind(statement),
    raw: statement.raw.bind(statement),
  };
  Object.assign(statement, {
    bind: (...values: unknown[]) => meterStatement(original.bind(...values), sql, tally, binding),
    run: async () => {
      const result = await original.run();
      add(tally, binding, sql, result);
      return result;
    },
    all: async () => {
      const result = await original.all();
      add(tally, binding, sql, result);
      return result;
    },
    first: (column?: string) => {
      tally.unmetered += 1;
      return column === undefined ? original.first() : original.first(column);
    },
    raw: (options?: { columnNames?: false }) => {
      tally.unmetered += 1;
      return original.raw(options);
    },
  });
  return statement;
}

function meter(db: D1Database, tally: D1Tally, binding: string): D1Database {
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (sql: string) => meterStatement(target.prepare(sql), sql, tally, binding);
      }
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements);
          results.forEach((result, i) => {
            const statement = statements[i];
            add(tally, binding, (statement && sqlOf.get(statement)) ?? "?", result);
          });
          return results;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** `env` with the control plane and every data shard metered into `tally`. */
function meteredEnv(env: Env, tally: D1Tally): Env {
  const bindings = env as unknown as Record<string, D1Database>;
  const wrapped: Record<string, D1Database> = {};
  for (const binding of ["DB", ...boundShards(env)]) {
    wrapped[binding] = meter(bindings[binding] as D1Database, tally, binding);
  }
  return { ...env, ...wrapped };
}

let lastScheduled: D1Tally | null = null;

/**
 * The naive expiry, for scale: read the due states once, then one UPDATE per state, awaited
 * one after the other, as a loop over `prepare().run()` in a Worker would. No log entry is
 * written, which flatters it.
 */
async function naive(env: Env, request: Request): Promise<Response> {
  const input = (await request.json()) as {
    /** The data shard (its binding) that holds the consent's states. */
    shard: string;
    /** consent.num */
    consent: number;
    throughDay: number;
    limit: number;
    at: number;
  };
  const data = shardResolver(env)(input.shard).$client;
  const { results } = await data
    .prepare(
      `SELECT profile FROM state
     WHERE consent = ?1 AND status = 1 AND activity_day <= ?2
     ORDER BY activity_day, profile LIMIT ?3`,
    )
    .bind(input.consent, input.throughDay, input.limit)
    .all<{ profile: number }>();
  const tally = newTally();
  const update = data.prepare(
    `UPDATE state SET status = 0, changed_at = ?1, expired_at = ?1
     WHERE profile = ?2 AND consent = ?3 AND status = 1`,
  );
  const started = performance.now();
  let changed = 0;
  for (const row of results) {
    const result = await update.bind(input.at, row.profile, input.consent).run();
    changed += result.meta.changes;
    add(tally, input.shard, "naive UPDATE", result);
  }
  // In workerd the clock advances across I/O, which is all this loop does.
  const ms = performance.now() - started;
  return Response.json({ states: changed, ms, ...tally });
}

/**
 * Diagnostics: D1's own figures for a batch of statements, e.g. a candidate rewrite, on the
 * database `?binding=` names (DB by default; the states and logs are on a SHARD_<n>).
 */
async function statements(env: Env, request: Request, url: URL): Promise<Response> {
  const binding = url.searchParams.get("binding") ?? "DB";
  const db = binding === "DB" ? env.DB : shardResolver(env)(binding).$client;
  const input = (await request.json()) as { sql: string; params: unknown[] }[];
  const results = await db.batch(input.map((s) => db.prepare(s.sql).bind(...s.params)));
  return Response.json(
    results.map((r, i) => ({
      sql: label(input[i]?.sql ?? ""),
      rowsRead: r.meta.rows_read,
      rowsWritten: r.meta.rows_written,
      changes: r.meta.changes,
      rows: r.results.length,
    })),
  );
}

/**
 * Diagnostics: what sealing computes for `n` expiry entries, in workerd — each entry's canonical
 * bytes (`encodeEntryFast`) and leaf hash (`leafHashes` with WebCrypto, as the sealer does), then their integration
 * into tiles (the real `appendToTiles` with the same hasher, onto a tree of 1,000,003 leaves
 * whose edge tiles are held in memory) — so
 * that the bench can read workerd's CPU time per entry from outside (inside, the clock only
 * moves across I/O).
 */
async function proofCost(url: URL): Promise<Response> {
  const n = Number(url.searchParams.get("n") ?? "1000");
  const bytes = Array.from({ length: n }, (_, i) =>
    encodeEntryFast({
      kind: "status_change",
      profile: 1 + i,
      consent: "newsletter",
      consentVersion: 1,
      from: "accepted",
      to: "unknown",
      reason: "expired",
      actor: "cron:run_00000000000000000000",
      occurredAt: 1_795_917_600_000,
      recordedAt: 1_795_917_600_000,
    }),
  );
  const leaves = await leafHashes(bytes, webCryptoSha256Many);
  // A tree of 1,000,003 leaves: every level's edge tile partial, filled with a stand-in hash.
  const size = 1_000_003;
  const edge = (level: number) => Math.floor(size / 256 ** level) % 256;
  const readTile: ReadTile = async (level) => new Uint8Array(edge(level) * 32).fill(level + 1);
  const appended = await appendToTiles(size, leaves, readTile, {
    sha256Many: webCryptoSha256Many,
  });
  return Response.json({ entries: n, tiles: appended.tiles.length });
}

/** Diagnostics: `n` trivial D1 round trips one after the other, to price a round trip. */
async function roundTrips(env: Env, url: URL): Promise<Response> {
  const n = Number(url.searchParams.get("n") ?? "100");
  const statement = env.DB.prepare("SELECT 1 AS one");
  for (let i = 0; i < n; i++) {
    await statement.all();
  }
  return Response.json({ roundTrips: n });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/statements" && request.method === "POST") {
      return statements(env, request, url);
    }
    if (url.pathname === "/__bench/naive" && request.method === "POST") {
      return naive(env, request);
    }
    if (url.pathname === "/__bench/last-scheduled") {
      return Response.json(lastScheduled);
    }
    if (url.pathname === "/__bench/proof") {
      return proofCost(url);
    }
    if (url.pathname === "/__bench/d1") {
      return roundTrips(env, url);
    }
    const tally = newTally();
    const response = await worker.fetch(request, meteredEnv(env, tally), ctx);
    const metered = new Response(response.body, response);
    metered.headers.set("X-Bench-D1", JSON.stringify(tally));
    return metered;
  },

  async scheduled(controller, env) {
    const tally = newTally();
    try {
      await worker.scheduled(controller, meteredEnv(env, tally));
    } finally {
      lastScheduled = tally;
    }
  },
} satisfies ExportedHandler<Env>;
