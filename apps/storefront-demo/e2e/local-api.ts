// The Lapse API as the browser tests use it, for the storefront's and the console's global
// setups: a fresh local D1 under a temporary directory (real migrations, one seeded tenant
// with `pnpm dev`'s catalogue) and the real Worker under `wrangler dev` on it.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { DEMO_CATALOGUE, type ProvisionedSecrets, provisionTenant } from "@lapse/api/testing";
import { freePort, run, type Server, startServer } from "./processes";

const API_DIR = path.resolve(import.meta.dirname, "../../api");
const WRANGLER = path.join(API_DIR, "node_modules", ".bin", "wrangler");
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CI: "true" };

function persistFlags(stateDir: string): string[] {
  return ["--persist-to", path.join(stateDir, "wrangler")];
}

/** Migrates a fresh local D1 under `stateDir` and seeds one tenant, created at `now`. */
export async function seedDatabase(
  stateDir: string,
  tenant: { now: number; corsOrigins: string[] },
): Promise<ProvisionedSecrets> {
  const persist = persistFlags(stateDir);
  await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", ...persist], {
    cwd: API_DIR,
    env: WRANGLER_ENV,
  });
  const { statements, secrets } = await provisionTenant({
    name: "E2E brand",
    now: tenant.now,
    corsOrigins: tenant.corsOrigins,
    consents: DEMO_CATALOGUE,
  });
  const seedFile = path.join(stateDir, "seed.sql");
  await writeFile(seedFile, `${statements.join("\n")}\n`);
  await run(WRANGLER, ["d1", "execute", "DB", "--local", ...persist, "--file", seedFile, "--yes"], {
    cwd: API_DIR,
    env: WRANGLER_ENV,
  });
  return secrets;
}

/** The real Worker on that database, on 127.0.0.1:`port`; ready once `readyPath` answers. */
export async function startApi(stateDir: string, port: number, readyPath: string): Promise<Server> {
  return startServer({
    name: "wrangler dev",
    command: WRANGLER,
    args: [
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--show-interactive-dev-session=false",
      ...persistFlags(stateDir),
    ],
    cwd: API_DIR,
    env: WRANGLER_ENV,
    readyUrl: `http://127.0.0.1:${port}${readyPath}`,
  });
}
