// Bundles the declarations with the API's router type inlined, so a consumer compiles against
// @lapse/client with only @trpc/* (and zod) installed: no Workers types, Drizzle or Hono.
import { dts } from "rollup-plugin-dts";

const external = (id) => /^(@trpc\/|zod)/.test(id);

export default ["index", "server"].map((name) => ({
  input: `src/${name}.ts`,
  output: { file: `dist/${name}.d.ts`, format: "es" },
  external,
  plugins: [dts({ tsconfig: "tsconfig.dts.json", respectExternal: true })],
}));
