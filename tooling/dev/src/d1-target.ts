import path from "node:path";
import type { Cli, OptionSpec } from "./cli.ts";
import { openLocalD1, openLocalD1File, remoteD1FromConfig, type SqlDatabase } from "./d1.ts";
import { applyMigrations } from "./wrangler.ts";

/**
 * The options of a CLI that works on the API's D1, local (the default, or another directory)
 * or deployed, and the one way to open what they name.
 */
export const D1_TARGET_OPTIONS = {
  remote: {
    type: "boolean",
    description:
      "the deployed D1 (needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN) instead of the local one",
  },
  "persist-to": {
    type: "string",
    placeholder: "DIR",
    description:
      "the local D1's directory, as wrangler's --persist-to (default .wrangler/state; relative to apps/api)",
  },
} as const satisfies Record<string, OptionSpec>;

export interface D1TargetValues {
  remote: boolean;
  "persist-to"?: string | undefined;
}

/**
 * Opens the D1 `binding` (DB, the control plane, by default) of the database the options name,
 * after applying the migrations of every D1 binding when `migrate`; a missing
 * credential is one line (exit 1) before anything runs. Progress goes to stderr. `inProcess`:
 * the local D1's file is read in this process (openLocalD1File) instead of through wrangler,
 * for tools that read much of it.
 */
export async function openD1Target(
  cli: Pick<Cli<Record<string, OptionSpec>>, "fail" | "error">,
  values: D1TargetValues,
  options: { config: string; migrate: boolean; inProcess?: boolean; binding?: string },
): Promise<SqlDatabase<string>> {
  const { config, migrate } = options;
  const binding = options.binding ?? "DB";
  if (values.remote && values["persist-to"] !== undefined) {
    return cli.fail("--persist-to is for the local D1, not with --remote");
  }
  if (values.remote) {
    let db: SqlDatabase<string>;
    try {
      db = remoteD1FromConfig({ config, binding });
    } catch (error) {
      return cli.error((error as Error).message);
    }
    if (migrate) {
      console.error("Applying the migrations to the remote D1 databases…");
      await applyMigrations({ config, remote: true });
    }
    return db;
  }
  const local = values["persist-to"] ? { persistTo: path.resolve(values["persist-to"]) } : {};
  if (migrate) {
    console.error("Applying the migrations to the local D1 databases…");
    await applyMigrations({ config, ...local });
  }
  if (options.inProcess) {
    try {
      return openLocalD1File({ config, binding, ...local });
    } catch (error) {
      return cli.error((error as Error).message);
    }
  }
  return openLocalD1({ config, binding, ...local });
}
