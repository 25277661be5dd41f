// D1 from Node, for the CLIs, the harnesses and the bench: every statement carries bound
// parameters, never values spliced into SQL text.
// - Local: a real D1 binding from wrangler's getPlatformProxy, on the same files as
//   `wrangler dev` / `wrangler d1 … --local` (see `persistPath`).
// - Local, in process: the same file through `node:sqlite` (openLocalD1File), for bulk reads.
// - Remote: the D1 REST API's /query endpoint, which takes `{ sql, params }` or
//   `{ batch: [{ sql, params }] }`; its params are strings, hence `SqlDatabase<string>`.
import { createHash, createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { getPlatformProxy, unstable_readConfig } from "wrangler";

export type SqlValue = string | number | null;

/** One statement and its parameters (`?`, `?1`…). */
export interface SqlStatement<V extends SqlValue = SqlValue> {
  sql: string;
  params: readonly V[];
}

/**
 * What the Node tools need of a D1 database. `V` is what a parameter may be: the remote API
 * takes strings only, so code that may run remotely works with `SqlDatabase<string>` (numbers
 * through CAST or inside one JSON parameter).
 */
export interface SqlDatabase<V extends SqlValue = SqlValue> {
  /** Where the statements go, for messages: "the local D1 (…)" or "the remote D1 …". */
  description: string;
  /** The rows of one read statement. */
  all<T>(statement: SqlStatement<V>): Promise<T[]>;
  /**
   * The statements in order, in one batch: a binding's `batch()` is one transaction; the REST
   * API documents its `batch` body as executed as a batch.
   */
  batch(statements: readonly SqlStatement<V>[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The local state directory as `--persist-to` names it, resolved: wrangler's default is
 * `.wrangler/state` beside the config.
 */
export function persistRoot(config: string, persistTo?: string): string {
  return path.resolve(persistTo ?? path.join(path.dirname(config), ".wrangler", "state"));
}

/**
 * What getPlatformProxy's `persist.path` must be for the files `--persist-to DIR` uses:
 * wrangler keeps its resources under `DIR/v3` (`d1 execute` and `dev` both join "v3"), while
 * getPlatformProxy hands `persist.path` to miniflare as that resource root itself.
 */
export function persistPath(config: string, persistTo?: string): string {
  return path.join(persistRoot(config, persistTo), "v3");
}

/** The part of the D1 binding used here (the full type is Workers-only). */
interface D1Binding {
  prepare(sql: string): { bind(...values: SqlValue[]): D1Bound };
  batch(statements: D1Bound[]): Promise<unknown[]>;
}
interface D1Bound {
  all<T>(): Promise<{ results: T[] }>;
}

export interface LocalD1Options {
  /** The Worker's wrangler config, by absolute path. */
  config: string;
  /** The D1 binding's name in that config. */
  binding?: string;
  /** As `--persist-to`; the config's `.wrangler/state` when absent. */
  persistTo?: string;
}

/**
 * The local D1 of `config`, through a miniflare of its own (start-up takes a second or two).
 * Close it before another process (`wrangler dev`) is started on the same state to write.
 */
export async function openLocalD1(options: LocalD1Options): Promise<SqlDatabase> {
  const name = options.binding ?? "DB";
  const proxy = await getPlatformProxy<Record<string, unknown>>({
    configPath: options.config,
    persist: { path: persistPath(options.config, options.persistTo) },
    remoteBindings: false,
  });
  const db = proxy.env[name] as D1Binding | undefined;
  if (!db) {
    await proxy.dispose();
    throw new Error(`${options.config} has no D1 binding named ${name}.`);
  }
  const bound = (s: SqlStatement) => db.prepare(s.sql).bind(...s.params);
  return {
    description: `the local D1 (${persistRoot(options.config, options.persistTo)})`,
    async all<T>(statement: SqlStatement) {
      return (await bound(statement).all<T>()).results;
    },
    async batch(statements) {
      if (statements.length > 0) {
        await db.batch(statements.map(bound));
      }
    },
    close: () => proxy.dispose(),
  };
}

/**
 * The local D1's SQLite file opened in this process with `node:sqlite` (the engine D1's local
 * file is written by), for tools that read much of it: no round trip through workerd and no
 * serialisation of each answer (history:verify reads a million entries). The same statements
 * as through the binding; a batch is one transaction. Safe beside a running `wrangler dev`
 * (SQLite's own locking, WAL).
 */
export function openLocalD1File(options: LocalD1Options): SqlDatabase {
  let file: string;
  try {
    file = localD1File(options.config, options.persistTo, options.binding);
  } catch (error) {
    throw new Error(
      `No local D1 in ${persistRoot(options.config, options.persistTo)} (${(error as Error).message}): run \`pnpm dev\` once, or name the directory with --persist-to.`,
    );
  }
  const db = new DatabaseSync(file);
  return {
    description: `the local D1 (${persistRoot(options.config, options.persistTo)})`,
    async all<T>(statement: SqlStatement) {
      return db.prepare(statement.sql).all(...statement.params) as T[];
    },
    async batch(statements) {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const s of statements) {
          db.prepare(s.sql).run(...s.params);
        }
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    close: async () => db.close(),
  };
}

/**
 * The name miniflare gives a local D1's SQLite file: the id workerd's `idFromName` derives for
 * the database id under the D1 object's unique key (key = SHA-256 of the unique key; 16 bytes
 * of HMAC(key, name), then 16 bytes of HMAC(key, those 16 bytes), in hex).
 */
export function localD1FileName(databaseId: string): string {
  const key = createHash("sha256").update("miniflare-D1DatabaseObject").digest();
  const base = createHmac("sha256", key).update(databaseId).digest().subarray(0, 16);
  const mac = createHmac("sha256", key).update(base).digest().subarray(0, 16);
  return `${Buffer.concat([base, mac]).toString("hex")}.sqlite`;
}

/** The local SQLite file of the D1 `binding` of `config` (DB by default). */
export function localD1File(config: string, persistTo?: string, binding = "DB"): string {
  const dir = path.join(persistPath(config, persistTo), "d1", "miniflare-D1DatabaseObject");
  const read = unstable_readConfig({ config }, { hideWarnings: true });
  const database = read.d1_databases.find((d: { binding: string }) => d.binding === binding);
  if (!database) {
    throw new Error(`${config} has no D1 binding named ${binding}.`);
  }
  const file = path.join(dir, localD1FileName(database.database_id ?? binding));
  if (!existsSync(file)) {
    throw new Error(`No local D1 file for ${binding} in ${dir}.`);
  }
  return file;
}

export interface RemoteD1Options {
  accountId: string;
  apiToken: string;
  databaseId: string;
  /** For tests; the global fetch by default. */
  fetch?: typeof fetch;
}

/** The D1 REST API's answer (https://developers.cloudflare.com/api/resources/d1/). */
interface QueryEnvelope {
  success: boolean;
  errors?: { code: number; message: string }[];
  result?: { success?: boolean; results?: unknown[] }[];
}

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

/** A deployed D1 through the REST API's `/query` endpoint, with a token allowed to edit D1. */
export function remoteD1(options: RemoteD1Options): SqlDatabase<string> {
  const send = options.fetch ?? fetch;
  const url = `${CLOUDFLARE_API}/accounts/${encodeURIComponent(options.accountId)}/d1/database/${encodeURIComponent(options.databaseId)}/query`;
  const query = async (body: unknown) => {
    const response = await send(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${options.apiToken}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let envelope: QueryEnvelope | null = null;
    try {
      envelope = JSON.parse(text) as QueryEnvelope;
    } catch {
      // Not JSON (a proxy's error page): reported below with the status.
    }
    const results = envelope?.result ?? [];
    if (!response.ok || !envelope?.success || results.some((r) => r.success === false)) {
      const reasons = envelope?.errors?.map((e) => `${e.code} ${e.message}`).join("; ");
      throw new Error(`The D1 API answered ${response.status}: ${reasons || text.slice(0, 300)}`);
    }
    return results;
  };
  return {
    description: `the remote D1 ${options.databaseId}`,
    async all<T>(statement: SqlStatement<string>) {
      const [result] = await query({ sql: statement.sql, params: statement.params });
      return (result?.results ?? []) as T[];
    },
    async batch(statements) {
      if (statements.length > 0) {
        await query({ batch: statements.map((s) => ({ sql: s.sql, params: s.params })) });
      }
    },
    close: async () => undefined,
  };
}

/** The id wrangler.jsonc carries until `wrangler d1 create` gives a real one. */
const PLACEHOLDER_ID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/**
 * The deployed D1 of `binding` in `config`, with the credentials wrangler itself reads in CI:
 * CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN. Throws with a one-line reason when one is
 * missing or the config still holds the placeholder id.
 */
export function remoteD1FromConfig(
  options: { config: string; binding?: string; env?: Record<string, string | undefined> },
  fetchImpl?: typeof fetch,
): SqlDatabase<string> {
  const env = options.env ?? process.env;
  const name = options.binding ?? "DB";
  const missing = ["CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN"].filter((v) => !env[v]);
  if (missing.length > 0) {
    throw new Error(
      `--remote needs ${missing.join(" and ")} in the environment (an API token allowed to query D1)`,
    );
  }
  const config = unstable_readConfig({ config: options.config }, { hideWarnings: true });
  const database = config.d1_databases.find((d: { binding: string }) => d.binding === name);
  if (!database?.database_id) {
    throw new Error(`${options.config} has no database_id for the D1 binding ${name}`);
  }
  if (PLACEHOLDER_ID.test(database.database_id)) {
    throw new Error(
      `${path.basename(options.config)} still has the placeholder database_id: put the one \`wrangler d1 create\` printed there`,
    );
  }
  return remoteD1({
    accountId: env.CLOUDFLARE_ACCOUNT_ID as string,
    apiToken: env.CLOUDFLARE_API_TOKEN as string,
    databaseId: database.database_id,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}
