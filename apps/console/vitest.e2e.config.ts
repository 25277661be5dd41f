import { e2eTestConfig } from "@lapse/dev/vitest-e2e";
import { defineConfig } from "vitest/config";

// The global setup builds the console and seeds a fresh D1 before wrangler dev starts.
export default defineConfig({ test: e2eTestConfig({ hookTimeout: 120_000 }) });
