declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    SHARD_0: D1Database;
    SHARD_1: D1Database;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The data shards' migrations. */
    TEST_DATA_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
