import { createRequire } from "node:module";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { proofVars } from "@lapse/api/proof-keys";
import { defineConfig } from "vitest/config";

// The API as a package (its exported wrangler config; its migrations beside it), not by path.
const wranglerConfig = createRequire(import.meta.url).resolve("@lapse/api/wrangler.jsonc");
const api = path.dirname(wranglerConfig);

export default defineConfig(async () => {
  // The control plane's migrations and the data shards' (SHARD_0, SHARD_1), as in its config.
  const migrations = await readD1Migrations(path.join(api, "migrations", "control"));
  const dataMigrations = await readD1Migrations(path.join(api, "migrations", "data"));
  return {
    test: {
      projects: [
        {
          // The client against the real Worker, inside workerd, on a real local D1.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: wranglerConfig },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TEST_DATA_MIGRATIONS: dataMigrations,
                  // The transparency log's keys (R11, R13): Worker secrets in production.
                  ...proofVars("lapse.test"),
                },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["./test/worker/setup.ts"],
          },
        },
        {
          // The built package as a consumer sees it, and the Node side of the helpers.
          test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
        },
      ],
    },
  };
});
