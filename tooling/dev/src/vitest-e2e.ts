/**
 * The vitest settings of a browser suite (the storefront's, the console's): its tests under
 * `e2e/`, a global setup that starts the Worker on a fresh D1, and one file at a time — one
 * browser against one Worker.
 */
export function e2eTestConfig(options: { hookTimeout: number }) {
  return {
    include: ["e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: options.hookTimeout,
  };
}
