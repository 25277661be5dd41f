// Brings up what the console's browser tests need, from nothing, and takes it down afterwards:
// the console built into the Worker's static assets, a fresh local D1 in a temporary directory
// (real migrations, one seeded tenant) and the real Worker under `wrangler dev`, which serves
// both the API and the console from one origin — as in production and under `pnpm dev`.
// The database and API helpers are the storefront harness's own (apps/storefront-demo/e2e).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ProvisionedSecrets } from "@lapse/api/testing";
import type { TestProject } from "vitest/node";
import { seedDatabase, startApi } from "../../storefront-demo/e2e/local-api";
import { freePort, run, type Server } from "../../storefront-demo/e2e/processes";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    tenant: ProvisionedSecrets;
    /** When the tenant was created and its consents' expiry activated. */
    seededAt: number;
  }
}

const CONSOLE_DIR = path.resolve(import.meta.dirname, "..");
const SEEDED_DAYS_AGO = 400;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Server[] = [];
  const stateDir = await mkdtemp(path.join(tmpdir(), "lapse-console-e2e-"));
  const teardown = async () => {
    for (const server of started.reverse()) await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const apiPort = await freePort();
    // localhost, not 127.0.0.1: the session cookie is `Secure`, which browsers accept over
    // plain http only from localhost.
    const apiUrl = `http://localhost:${apiPort}`;

    // The tests run against what `pnpm --filter @lapse/console build` makes, not a dev server;
    // it builds while the database is prepared.
    // A tenant a little over a year old: its consents' expiry has been active long enough for
    // a nightly run to lapse someone (R10), as it would for a brand in production.
    const seededAt = Date.now() - SEEDED_DAYS_AGO * 86_400_000;
    const build = run(path.join(CONSOLE_DIR, "node_modules", ".bin", "vite"), ["build"], {
      cwd: CONSOLE_DIR,
    });
    const database = seedDatabase(stateDir, { now: seededAt, corsOrigins: [] });
    const [, secrets] = await Promise.all([build, database]);

    started.push(await startApi(stateDir, apiPort, "/console/"));

    project.provide("apiUrl", apiUrl);
    project.provide("tenant", secrets);
    project.provide("seededAt", seededAt);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
