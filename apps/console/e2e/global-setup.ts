// Brings up what the console's browser tests need, from nothing, and takes it down afterwards:
// the console built into the Worker's static assets, a fresh local D1 in a temporary directory
// (real migrations, one seeded tenant) and the real Worker under `wrangler dev`, which serves
// both the API and the console from one origin — as in production and under `pnpm dev`.
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { proofVars } from "@lapse/api/proof-keys";
import { DEMO_CATALOGUE, type ProvisionedSecrets, provisionTenant } from "@lapse/api/provision";
import { prepareLocalD1, startLocalApi } from "@lapse/dev/local-api";
import { run, type Server } from "@lapse/dev/processes";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    tenant: ProvisionedSecrets;
    /** When the tenant was created and its consents' expiry activated. */
    seededAt: number;
  }
}

const CONSOLE_DIR = path.resolve(import.meta.dirname, "..");
const API_CONFIG = createRequire(import.meta.url).resolve("@lapse/api/wrangler.jsonc");
const SEEDED_DAYS_AGO = 400;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Server[] = [];
  const stateDir = await mkdtemp(path.join(tmpdir(), "lapse-console-e2e-"));
  const teardown = async () => {
    for (const server of started.reverse()) {
      await server.stop();
    }
    await rm(stateDir, { recursive: true, force: true });
  };

  try {
    // The tests run against what `pnpm --filter @lapse/console build` makes, not a dev server;
    // it builds while the database is prepared.
    // A tenant a little over a year old: its consents' expiry has been active long enough for
    // a nightly run to lapse someone (R10), as it would for a brand in production.
    const seededAt = Date.now() - SEEDED_DAYS_AGO * 86_400_000;
    const build = run(path.join(CONSOLE_DIR, "node_modules", ".bin", "vite"), ["build"], {
      cwd: CONSOLE_DIR,
    });
    const database = prepareLocalD1({
      config: API_CONFIG,
      stateDir,
      async seed(db) {
        const { statements, secrets } = await provisionTenant({
          name: "E2E brand",
          now: seededAt,
          corsOrigins: [],
          consents: DEMO_CATALOGUE,
        });
        await db.batch(statements);
        return secrets;
      },
    });
    const [, secrets] = await Promise.all([build, database]);

    // localhost, not 127.0.0.1: the session cookie is `Secure`, which browsers accept over
    // plain http only from localhost.
    const api = await startLocalApi({
      config: API_CONFIG,
      stateDir,
      host: "localhost",
      readyPath: "/console/",
      // The proof and erasure secrets (R11, R13), fresh for this run.
      vars: proofVars("lapse.example"),
    });
    started.push(api);

    project.provide("apiUrl", api.url);
    project.provide("tenant", secrets);
    project.provide("seededAt", seededAt);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
