import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Idempotent: applied migrations are recorded in each database. The control plane, then each
// data shard: every test runs on the sharded layout (two shards, as `pnpm dev`).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.SHARD_0, env.TEST_DATA_MIGRATIONS);
await applyD1Migrations(env.SHARD_1, env.TEST_DATA_MIGRATIONS);
