import { defineConfig } from "tsup";

// JavaScript only; the declarations are bundled by rollup.dts.config.mjs.
export default defineConfig({
  entry: { index: "src/index.ts", server: "src/server.ts" },
  format: ["esm"],
  target: "es2022",
  clean: true,
  dts: false,
  // The limits are bundled in (a few constants), so the package needs no @lapse/consent; the
  // proof verifier too (with @noble/hashes' SHA-256, a few kB), so it needs no @lapse/proof.
  noExternal: ["@lapse/consent", "@lapse/proof"],
});
