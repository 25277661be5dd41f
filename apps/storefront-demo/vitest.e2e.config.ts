import { e2eTestConfig } from "@lapse/dev/vitest-e2e";
import { defineConfig } from "vitest/config";

export default defineConfig({ test: e2eTestConfig({ hookTimeout: 30_000 }) });
