// The limit: the nightly run's own code (`runNightlyExpiry`, the same statements, chunks and
// bookkeeping) with each D1 database — the control plane and every data shard — replaced by
// SQLite in this process (Node's built-in `node:sqlite`, the same SQLite engine D1 runs). What
// is left of the difference is D1 and workerd: the binding, the hop to the database object,
// and the Worker's event loop.
import { createHash } from "node:crypto";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { createDb } from "../src/db/client.ts";
import { CONSENT_LEASE_MS, runNightlyExpiry } from "../src/services/expiry/index.ts";

type Row = Record<string, SQLInputValue>;

function toSqlite(value: unknown): SQLInputValue {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === "boolean") {
    return value ? 1 : 0;
  }
  if (
    typeof value === "number" ||
    typeof value === "string" ||
    typeof value === "bigint" ||
    value instanceof Uint8Array
  ) {
    return value;
  }
  return JSON.stringify(value);
}

function meta(
  changes: number,
  lastRowId: number,
  started: number,
): D1Meta & Record<string, unknown> {
  return {
    duration: performance.now() - started,
    size_after: 0,
    // node:sqlite does not count rows visited; D1's figures come from the Worker's run.
    rows_read: 0,
    rows_written: 0,
    last_row_id: lastRowId,
    changed_db: changes > 0,
    changes,
  };
}

class RawStatement {
  constructor(
    private readonly d1: RawD1,
    readonly sql: string,
    readonly params: SQLInputValue[] = [],
  ) {}

  bind(...values: unknown[]): RawStatement {
    return new RawStatement(this.d1, this.sql, values.map(toSqlite));
  }

  async run() {
    return this.d1.execute(this);
  }

  async all() {
    return this.d1.execute(this);
  }

  async first(column?: string) {
    const row = this.d1.execute(this).results[0];
    if (row === undefined) {
      return null;
    }
    return column === undefined ? row : (row[column] ?? null);
  }

  async raw() {
    return this.d1.execute(this, true).results;
  }
}

/** Milliseconds spent in SQLite per statement text (its first words), and commits. */
type TimeBySql = Record<string, { count: number; ms: number }>;

/** The subset of the D1 binding that drizzle and the expiry services use. */
export class RawD1 {
  private readonly cache = new Map<string, StatementSync>();

  /** `timeBySql` may be shared: a run's databases then add up their time in one record. */
  constructor(
    readonly sqlite: DatabaseSync,
    readonly timeBySql: TimeBySql = {},
  ) {}

  prepare(sql: string): RawStatement {
    return new RawStatement(this, sql);
  }

  private time(sql: string, started: number): void {
    const key = sql.replaceAll(/\s+/g, " ").trim().slice(0, 48);
    const entry = this.timeBySql[key] ?? { count: 0, ms: 0 };
    this.timeBySql[key] = entry;
    entry.count += 1;
    entry.ms += performance.now() - started;
  }

  execute(statement: RawStatement, arrays = false) {
    const started = performance.now();
    try {
      return this.executeUntimed(statement, arrays, started);
    } finally {
      this.time(statement.sql, started);
    }
  }

  private executeUntimed(statement: RawStatement, arrays: boolean, started: number) {
    let prepared = this.cache.get(statement.sql);
    if (!prepared) {
      prepared = this.sqlite.prepare(statement.sql);
      this.cache.set(statement.sql, prepared);
    }
    if (prepared.columns().length === 0) {
      const result = prepared.run(...statement.params);
      return {
        success: true as const,
        results: [] as Row[],
        meta: meta(Number(result.changes), Number(result.lastInsertRowid), started),
      };
    }
    prepared.setReturnArrays(arrays);
    const results = prepared.all(...statement.params) as unknown as Row[];
    prepared.setReturnArrays(false);
    return { success: true as const, results, meta: meta(0, 0, started) };
  }

  /** A D1 batch is one transaction: so is this. */
  async batch(statements: RawStatement[]) {
    this.sqlite.exec("BEGIN IMMEDIATE");
    try {
      const results = statements.map((s) => this.execute(s));
      const committing = performance.now();
      this.sqlite.exec("COMMIT");
      this.time("COMMIT", committing);
      return results;
    } catch (error) {
      this.sqlite.exec("ROLLBACK");
      throw error;
    }
  }

  async exec(sql: string) {
    const started = performance.now();
    this.sqlite.exec(sql);
    return { count: 1, duration: performance.now() - started };
  }
}

export interface RawRun {
  ms: number;
  /** Of `ms`, the time spent inside SQLite (every database), per statement. */
  timeBySql: TimeBySql;
  expired: number;
  chunks: number;
  consents: number;
}

/** Bytes on disk (pages) per table with its indexes, from SQLite's `dbstat`. */
export function storageByTable(sqlite: DatabaseSync): Record<string, number> {
  const rows = sqlite
    .prepare(
      `SELECT coalesce(m.tbl_name, d.name) AS tbl, SUM(d.pgsize) AS bytes
       FROM dbstat AS d LEFT JOIN sqlite_schema AS m ON m.name = d.name GROUP BY tbl`,
    )
    .all() as { tbl: string; bytes: number }[];
  return Object.fromEntries(rows.map((r) => [r.tbl, r.bytes]));
}

/** Opens a copy of a bench D1 file; WAL with synchronous=NORMAL (no fsync per commit). */
export function openRaw(file: string): DatabaseSync {
  const sqlite = new DatabaseSync(file);
  sqlite.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  return sqlite;
}

/**
 * Node's WebCrypto `digest` goes through the libuv thread pool (tens of microseconds a call);
 * workerd's is a synchronous BoringSSL call behind a promise. For the limit to measure the
 * database and not that, SHA-256 is served by node:crypto's synchronous hash while a run lasts.
 */
async function withSyncDigest<T>(work: () => Promise<T>): Promise<T> {
  const subtle = crypto.subtle;
  const original = subtle.digest;
  Object.defineProperty(subtle, "digest", {
    configurable: true,
    value: async (algorithm: string | { name: string }, data: ArrayBuffer | ArrayBufferView) => {
      const name = typeof algorithm === "string" ? algorithm : algorithm.name;
      if (name.toUpperCase() !== "SHA-256") {
        return original.call(subtle, algorithm, data);
      }
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const digest = createHash("sha256").update(bytes).digest();
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
    },
  });
  try {
    return await work();
  } finally {
    Reflect.deleteProperty(subtle, "digest");
  }
}

/** The databases a raw run stands in for D1 with, as the Worker's bindings name them. */
export interface RawDatabases {
  /** The control plane (DB): consents, the shard map, the run ledger. */
  control: DatabaseSync;
  /** Every data shard of the shard map by binding (SHARD_<n>): the run probes each. */
  shards: Record<string, DatabaseSync>;
}

/** One nightly run at `scheduledAt`, through the real `runNightlyExpiry`, timed. */
export async function rawNight(
  databases: RawDatabases,
  scheduledAt: number,
  chunkSize: number,
  options: { syncDigest?: boolean } = {},
): Promise<RawRun> {
  const timeBySql: TimeBySql = {};
  const control = new RawD1(databases.control, timeBySql);
  const shards = new Map(
    Object.entries(databases.shards).map(([binding, sqlite]) => [
      binding,
      new RawD1(sqlite, timeBySql),
    ]),
  );
  const rc = {
    db: createDb(control as unknown as D1Database),
    shard: (binding: string) => {
      const d1 = shards.get(binding);
      if (!d1) {
        throw new Error(`The raw SQLite run has no data shard ${binding}.`);
      }
      return createDb(d1 as unknown as D1Database);
    },
    clock: Date.now,
    chunkSize,
    leaseMs: CONSENT_LEASE_MS,
  };
  const started = performance.now();
  const run = () => runNightlyExpiry(rc, { scheduledAt, trigger: "cron" });
  const outcome = await (options.syncDigest === false ? run() : withSyncDigest(run));
  const ms = performance.now() - started;
  if (!outcome.started || outcome.status !== "succeeded") {
    throw new Error(`The raw SQLite run did not succeed: ${JSON.stringify(outcome)}`);
  }
  const totals = databases.control
    .prepare(
      `SELECT COUNT(*) AS consents, COALESCE(SUM(expired), 0) AS expired,
         COALESCE(SUM(chunks), 0) AS chunks FROM expiry_run_consent WHERE run_id = ?`,
    )
    .get(outcome.runId) as { consents: number; expired: number; chunks: number };
  return { ms, timeBySql, ...totals };
}
