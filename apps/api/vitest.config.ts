import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { proofVars } from "./scripts/proof-keys.ts";

export default defineConfig(async () => {
  // The real migrations of each kind of database, applied inside workerd by test/setup.ts:
  // the control plane (DB) and the data shards (SHARD_0, SHARD_1), as in wrangler.jsonc.
  const migrations = path.join(import.meta.dirname, "migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations(path.join(migrations, "control")),
            TEST_DATA_MIGRATIONS: await readD1Migrations(path.join(migrations, "data")),
            // The log's keys (R11, R13), fresh for each run: the Worker's secrets in production.
            ...proofVars("lapse.test"),
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
    },
  };
});
