// `pnpm --filter @lapse/api tenant:reshard --tenant ten_… --shards S [--remote | --persist-to DIR]`:
// spreads a tenant over more data shards (docs/scaling.md: resharding). Pauses the tenant's
// writes, copies each new slot's profiles and a fork of its old slot's log to a shard of the
// tenant's jurisdiction, checks counts and proof roots, switches the shard map, removes the
// moved rows from their old shards and opens the writes again.
import { hash } from "node:crypto";
import { defineCli, numberIn } from "@lapse/dev/cli";
import type { SqlDatabase } from "@lapse/dev/d1";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";
import { logOrigin } from "../src/services/proof/keys.ts";
import { reshardTenant } from "../src/services/shards/reshard.ts";
import { shardCountProblem } from "../src/services/tenants/provision.ts";
import {
  API_CONFIG as config,
  LOG_KEY_OPTIONS,
  originPrefixFrom,
  verifierKeysOf,
} from "./log-cli.ts";

const cli = defineCli({
  name: "tenant:reshard",
  usage:
    "pnpm --filter @lapse/api tenant:reshard --tenant ID --shards S [--settle-seconds N] [--seal-wait-seconds N] [--verifier-key KEY] [--remote | --persist-to DIR]",
  summary: [
    "Spreads a tenant over S data shards (a power of two, more than it spans now). Its writes",
    "are paused meanwhile (they answer 503 with Retry-After; reads go on), each new slot's",
    "profiles and a copy of its old slot's log go to a shard of the tenant's jurisdiction, and",
    "the copies are checked (log audit, proof root, counts of entries, profiles and states)",
    "before the shard map switches. Nothing is switched when a check fails. Run it again with",
    "the same S to finish a reshard that stopped after its switch. Progress goes to stderr; the",
    "result is printed as JSON on stdout. docs/scaling.md: resharding.",
  ].join("\n"),
  options: {
    tenant: { type: "string", placeholder: "ID", description: "the tenant (ten_…), required" },
    shards: {
      type: "string",
      placeholder: "S",
      description: "the number of data shards it will span (2, 4, …), required",
    },
    "settle-seconds": {
      type: "string",
      placeholder: "N",
      default: "30",
      description: "wait after pausing, for calls that read the tenant's key before (0–600)",
    },
    "seal-wait-seconds": {
      type: "string",
      placeholder: "N",
      default: "120",
      description: "wait for the sealer (a cron every minute) to seal each old log (0–3600)",
    },
    ...LOG_KEY_OPTIONS,
    ...D1_TARGET_OPTIONS,
  },
});

const values = cli.parse();
const tenantId = values.tenant ?? cli.fail("--tenant is required");
if (!/^ten_[0-9a-z]+$/.test(tenantId)) {
  cli.fail(`--tenant ${tenantId} is not a tenant id (ten_…)`);
}
const shards = Number(values.shards ?? cli.fail("--shards is required"));
const problem = shardCountProblem(shards);
if (problem !== null) {
  cli.fail(`--shards ${values.shards}: ${problem}`);
}
const settle = numberIn(cli, "settle-seconds", values["settle-seconds"], [0, 600]);
const sealWait = numberIn(cli, "seal-wait-seconds", values["seal-wait-seconds"], [0, 3600]);

async function main(): Promise<void> {
  const verifierKeys = await verifierKeysOf(values).catch((error: Error) =>
    cli.fail(error.message),
  );
  const prefix = originPrefixFrom(values);
  const control = await openD1Target(cli, values, { config, migrate: false, inProcess: true });
  const opened = new Map<string, SqlDatabase<string>>();
  const shardDbs = new Map<string, Promise<SqlDatabase<string>>>();
  // The core asks for a shard synchronously; each is opened on its first statement.
  const shard = (binding: string) => {
    const open = () => {
      let db = shardDbs.get(binding);
      if (!db) {
        db = openD1Target(cli, values, { config, migrate: false, inProcess: true, binding }).then(
          (d) => {
            opened.set(binding, d);
            return d;
          },
        );
        shardDbs.set(binding, db);
      }
      return db;
    };
    return {
      all: async <T>(s: { sql: string; params: readonly string[] }) =>
        (await open()).all<T>({ sql: s.sql, params: [...s.params] }),
      batch: async (statements: readonly { sql: string; params: readonly string[] }[]) =>
        (await open()).batch(statements.map((s) => ({ sql: s.sql, params: [...s.params] }))),
    };
  };
  console.error(`Resharding ${tenantId} in ${control.description} to ${shards} shards…`);
  const started = Date.now();
  try {
    const result = await reshardTenant({
      control: {
        all: (s) => control.all({ sql: s.sql, params: [...s.params] }),
        batch: (statements) =>
          control.batch(statements.map((s) => ({ sql: s.sql, params: [...s.params] }))),
      },
      shard,
      tenantId,
      shards,
      origin: (tenant, slot) => logOrigin(prefix, tenant, slot),
      verifierKeys,
      settleMs: settle * 1000,
      sealWaitMs: sealWait * 1000,
      sha256: (bytes) => hash("sha256", bytes, "buffer"),
      log: (line) => console.error(line),
    });
    console.log(JSON.stringify(result, null, 2));
    console.error(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tenantId} spans ${result.after} shards; ${result.added.reduce((n, s) => n + s.profiles, 0)} profiles moved. The sealer signs each new log's first checkpoint within a minute.`,
    );
  } finally {
    await control.close();
    for (const db of opened.values()) {
      await db.close();
    }
  }
}

await main().catch((error: Error) => cli.error(error.message));
