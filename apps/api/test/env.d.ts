declare namespace Cloudflare {
  interface Env {
    /** The real migrations, read by vitest.config.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
