// Brings up what the browser tests need, from nothing, and takes it all down afterwards:
// a fresh local D1 in a temporary directory (real migrations, one tenant with `pnpm dev`'s
// catalogue), the real Worker under `wrangler dev`, and the storefront's Vite dev server with
// its demo back end.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { proofVars } from "@lapse/api/proof-keys";
import { DEMO_CATALOGUE, type ProvisionedSecrets, provisionTenant } from "@lapse/api/provision";
import { prepareLocalD1, startLocalApi } from "@lapse/dev/local-api";
import { freePort } from "@lapse/dev/ports";
import { type Server, startServer } from "@lapse/dev/processes";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    storefrontUrl: string;
    tenant: ProvisionedSecrets;
  }
}

const STOREFRONT_DIR = path.resolve(import.meta.dirname, "..");
const API_CONFIG = createRequire(import.meta.url).resolve("@lapse/api/wrangler.jsonc");

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Server[] = [];
  const stateDir = await mkdtemp(path.join(tmpdir(), "lapse-e2e-"));
  const teardown = async () => {
    for (const server of started.reverse()) {
      await server.stop();
    }
    await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const [apiPort, storefrontPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const storefrontUrl = `http://127.0.0.1:${storefrontPort}`;
    const secrets = await prepareLocalD1({
      config: API_CONFIG,
      stateDir,
      async seed(db) {
        const { statements, secrets } = await provisionTenant({
          name: "E2E brand",
          now: Date.now(),
          corsOrigins: [storefrontUrl],
          consents: DEMO_CATALOGUE,
        });
        await db.batch(statements);
        return secrets;
      },
    });
    // The storefront's back end reads the tenant the same way as under `pnpm dev`.
    const tenantFile = path.join(stateDir, "demo-tenant.json");
    await writeFile(tenantFile, JSON.stringify(secrets));

    // Both servers start together: wrangler takes a few seconds to bundle the Worker.
    const servers = await Promise.allSettled([
      startLocalApi({
        config: API_CONFIG,
        stateDir,
        port: apiPort,
        readyPath: "/healthz",
        // The proof and erasure secrets (R11, R13), fresh for this run.
        vars: proofVars("lapse.example"),
      }),
      startServer({
        name: "vite",
        command: path.join(STOREFRONT_DIR, "node_modules", ".bin", "vite"),
        args: ["--host", "127.0.0.1", "--port", String(storefrontPort), "--strictPort"],
        cwd: STOREFRONT_DIR,
        env: { LAPSE_API_URL: apiUrl, LAPSE_DEMO_TENANT_FILE: tenantFile },
        readyUrl: `${storefrontUrl}/demo-config`,
      }),
    ]);
    for (const result of servers) {
      if (result.status === "fulfilled") {
        started.push(result.value);
      }
    }
    for (const result of servers) {
      if (result.status === "rejected") {
        throw result.reason;
      }
    }

    project.provide("apiUrl", apiUrl);
    project.provide("storefrontUrl", storefrontUrl);
    project.provide("tenant", secrets);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
