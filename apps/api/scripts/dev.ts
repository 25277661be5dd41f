// `pnpm dev`: migrate the local D1, seed the demo tenant once, print its keys, serve the Worker.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  DEMO_CATALOGUE,
  type ProvisionedSecrets,
  provisionTenant,
} from "../src/services/tenants/provision.ts";
import { API_DIR, applyMigrations, executeSql, queryLocal } from "./wrangler.ts";

const PORT = Number(process.env.PORT ?? 8787);
const DEMO_FILE = path.join(API_DIR, ".dev", "demo-tenant.json");

console.log("Applying migrations to the local D1…");
applyMigrations(false);

function existingDemo(): ProvisionedSecrets | null {
  if (!existsSync(DEMO_FILE)) return null;
  const demo = JSON.parse(readFileSync(DEMO_FILE, "utf8")) as ProvisionedSecrets;
  const id = demo.tenantId.replaceAll("'", "''");
  return queryLocal(`SELECT id FROM tenant WHERE id = '${id}'`).length > 0 ? demo : null;
}

let demo = existingDemo();
if (!demo) {
  const { statements, secrets } = await provisionTenant({
    name: "Demo brand",
    now: Date.now(),
    corsOrigins: [`http://localhost:${PORT}`, "http://localhost:5173", "http://127.0.0.1:5173"],
    consents: DEMO_CATALOGUE,
  });
  executeSql(statements, false);
  mkdirSync(path.dirname(DEMO_FILE), { recursive: true });
  writeFileSync(DEMO_FILE, `${JSON.stringify(secrets, null, 2)}\n`);
  demo = secrets;
  console.log("Seeded the demo tenant.");
}

console.log(`
Demo tenant (dev only; also in apps/api/.dev/demo-tenant.json):
  tenant           ${demo.tenantId}
  secret key       ${demo.secretKey}   (scopes: admin, profiles, events)
  publishable key  ${demo.publishableKey}
  signing kid      ${demo.signingKid}
  signing secret   ${demo.signingSecret}

Try:
  curl -s -X POST http://localhost:${PORT}/trpc/profile.update \\
    -H "Authorization: Bearer ${demo.secretKey}" -H "Content-Type: application/json" \\
    -d '{"profileId":"cust-42","changes":[{"consent":"newsletter","status":"accepted"}]}'
`);

// The admin console is static assets of this Worker (wrangler.jsonc `assets`): build it once,
// as `pnpm --filter @lapse/console build` does, so http://localhost:PORT/console serves it.
const CONSOLE_DIR = path.resolve(API_DIR, "..", "console");
if (existsSync(path.join(CONSOLE_DIR, "package.json"))) {
  console.log("Building the admin console…");
  const build = spawnSync(
    path.join(CONSOLE_DIR, "node_modules", ".bin", "vite"),
    ["build", "--logLevel", "warn"],
    { cwd: CONSOLE_DIR, stdio: "inherit" },
  );
  if (build.status === 0) {
    console.log(`Admin console: http://localhost:${PORT}/console/ (sign in with the secret key)`);
  } else {
    console.error("The console build failed: /console answers 404 until it is built.");
  }
}

const child = spawn(
  path.join(API_DIR, "node_modules", ".bin", "wrangler"),
  ["dev", "--test-scheduled", "--port", String(PORT)],
  { cwd: API_DIR, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code) => process.exit(code ?? 0));
