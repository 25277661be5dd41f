import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Everything, in Node.
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          environment: "node",
          // The big-tree suites hash hundreds of thousands of nodes: under `pnpm test`, beside
          // the API's workerd suites on 2 cores, they run up to 10× slower than alone.
          testTimeout: 60_000,
        },
      },
      {
        // The suites that lean on runtime APIs (WebCrypto Ed25519, strict TextDecoder, noble's
        // SHA-256), again inside workerd, where the API Worker runs them. The big-tree suites are
        // pure arithmetic over those and stay in Node, where they run several times faster.
        plugins: [
          cloudflareTest({
            miniflare: { compatibilityDate: "2026-01-01", compatibilityFlags: ["nodejs_compat"] },
          }),
        ],
        test: {
          name: "workerd",
          include: [
            "test/note.test.ts",
            "test/checkpoint.test.ts",
            "test/entry.test.ts",
            "test/bytes.test.ts",
            "test/rfc6962.test.ts",
          ],
        },
      },
    ],
  },
});
