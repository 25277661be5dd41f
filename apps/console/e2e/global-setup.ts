// Brings up what the console's browser tests need, from nothing, and takes it down afterwards:
// the console built into the Worker's static assets, a fresh local D1 in a temporary directory
// (real migrations, one seeded tenant) and the real Worker under `wrangler dev`, which serves
// both the API and the console from one origin — as in production and under `pnpm dev`.
// The process helpers are the storefront harness's own (apps/storefront-demo/e2e).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_CATALOGUE, type ProvisionedSecrets, provisionTenant } from "@lapse/api/testing";
import type { TestProject } from "vitest/node";
import { freePort, run, type Server, startServer } from "../../storefront-demo/e2e/processes";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    tenant: ProvisionedSecrets;
    /** When the tenant was created and its consents' expiry activated. */
    seededAt: number;
  }
}

const CONSOLE_DIR = path.resolve(import.meta.dirname, "..");
const API_DIR = path.resolve(CONSOLE_DIR, "../api");
const WRANGLER = path.join(API_DIR, "node_modules", ".bin", "wrangler");
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CI: "true" };
const SEEDED_DAYS_AGO = 400;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Server[] = [];
  const stateDir = await mkdtemp(path.join(tmpdir(), "lapse-console-e2e-"));
  const teardown = async () => {
    for (const server of started.reverse()) await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const [apiPort, inspectorPort] = [await freePort(), await freePort()];
    // localhost, not 127.0.0.1: the session cookie is `Secure`, which browsers accept over
    // plain http only from localhost.
    const apiUrl = `http://localhost:${apiPort}`;
    const persist = ["--persist-to", path.join(stateDir, "wrangler")];

    // The tests run against what `pnpm --filter @lapse/console build` makes, not a dev server;
    // it builds while the database is prepared.
    // A tenant a little over a year old: its consents' expiry has been active long enough for
    // a nightly run to lapse someone (R10), as it would for a brand in production.
    const seededAt = Date.now() - SEEDED_DAYS_AGO * 86_400_000;
    const build = run(path.join(CONSOLE_DIR, "node_modules", ".bin", "vite"), ["build"], {
      cwd: CONSOLE_DIR,
    });
    const database = (async () => {
      await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", ...persist], {
        cwd: API_DIR,
        env: WRANGLER_ENV,
      });
      const { statements, secrets } = await provisionTenant({
        name: "E2E brand",
        now: seededAt,
        corsOrigins: [],
        // `pnpm dev`'s catalogue: newsletter, sms and the "order" legal basis, expiry active.
        consents: DEMO_CATALOGUE,
      });
      const seedFile = path.join(stateDir, "seed.sql");
      await writeFile(seedFile, `${statements.join("\n")}\n`);
      await run(
        WRANGLER,
        ["d1", "execute", "DB", "--local", ...persist, "--file", seedFile, "--yes"],
        { cwd: API_DIR, env: WRANGLER_ENV },
      );
      return secrets;
    })();
    const [, secrets] = await Promise.all([build, database]);

    started.push(
      await startServer({
        name: "wrangler dev",
        command: WRANGLER,
        args: [
          "dev",
          "--local",
          "--ip",
          "127.0.0.1",
          "--port",
          String(apiPort),
          "--inspector-port",
          String(inspectorPort),
          "--show-interactive-dev-session=false",
          ...persist,
        ],
        cwd: API_DIR,
        env: WRANGLER_ENV,
        readyUrl: `http://127.0.0.1:${apiPort}/console/`,
      }),
    );

    project.provide("apiUrl", apiUrl);
    project.provide("tenant", secrets);
    project.provide("seededAt", seededAt);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
