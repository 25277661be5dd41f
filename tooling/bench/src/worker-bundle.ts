// Snapshots of the Worker: bundled once at the start, as `wrangler deploy --dry-run` does, and
// served with `wrangler dev --no-bundle`. Others edit the sources while a bench runs, and a
// reload mid-run would cut the cron invocation short.
import { existsSync } from "node:fs";
import path from "node:path";
import { wrangler } from "@lapse/dev/wrangler";
import { API_CONFIG } from "./bench.ts";

/** Bundles `entry` (the config's `main` by default) into `outdir`; returns the bundle's path. */
export async function bundleWorker(outdir: string, entry?: string): Promise<string> {
  await wrangler({ config: API_CONFIG }, [
    "deploy",
    ...(entry ? [entry] : []),
    "--dry-run",
    "--outdir",
    outdir,
  ]);
  const name = entry ? `${path.basename(entry).replace(/\.ts$/, "")}.js` : "index.js";
  const file = path.join(outdir, name);
  if (!existsSync(file)) {
    throw new Error(`wrangler did not write ${file}`);
  }
  return file;
}
