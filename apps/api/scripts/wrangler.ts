// Helpers shared by the dev and tenant scripts. Run by Node with type stripping: no
// dependencies beyond Node itself and the wrangler binary of this package.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const API_DIR = path.resolve(import.meta.dirname, "..");
const WRANGLER = path.join(API_DIR, "node_modules", ".bin", "wrangler");

/** Runs wrangler in apps/api; throws with its output when it fails. */
export function wrangler(args: string[], options: { quiet?: boolean } = {}): string {
  const result = spawnSync(WRANGLER, args, {
    cwd: API_DIR,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: options.quiet ? "pipe" : ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed:\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }
  return result.stdout;
}

/** Applies the migrations to the local (or remote) D1 named DB in wrangler.jsonc. */
export function applyMigrations(remote: boolean): void {
  wrangler(["d1", "migrations", "apply", "DB", remote ? "--remote" : "--local"], { quiet: true });
}

/** Executes SQL statements on D1 as one file. */
export function executeSql(statements: string[], remote: boolean): void {
  const dir = mkdtempSync(path.join(tmpdir(), "lapse-sql-"));
  try {
    const file = path.join(dir, "statements.sql");
    writeFileSync(file, `${statements.join("\n")}\n`);
    wrangler(["d1", "execute", "DB", remote ? "--remote" : "--local", "--file", file, "--yes"], {
      quiet: true,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows of a read query on the local D1. */
export function queryLocal<T>(sql: string): T[] {
  return query<T>(sql, false);
}

/** Rows of a read query on the local (or remote) D1. */
export function query<T>(sql: string, remote: boolean): T[] {
  const out = wrangler(
    ["d1", "execute", "DB", remote ? "--remote" : "--local", "--json", "--command", sql],
    {
      quiet: true,
    },
  );
  const parsed = JSON.parse(out) as { results: T[] }[];
  return parsed[0]?.results ?? [];
}
