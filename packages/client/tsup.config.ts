import { defineConfig } from "tsup";

// JavaScript only; the declarations are bundled by rollup.dts.config.mjs.
export default defineConfig({
  entry: { index: "src/index.ts", server: "src/server.ts" },
  format: ["esm"],
  target: "es2022",
  clean: true,
  dts: false,
});
