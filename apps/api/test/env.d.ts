declare namespace Cloudflare {
  interface Env {
    /** The real migrations of the control plane (DB), read by vitest.config.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The real migrations of a data shard (SHARD_<n>). */
    TEST_DATA_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
