// `pnpm dev`: migrate the local D1, seed the demo tenant once, print its keys, serve the Worker.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type ProvisionedSecrets, provisionTenant } from "../src/services/tenants/provision.ts";
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
    corsOrigins: [`http://localhost:${PORT}`, "http://localhost:5173"],
    consents: [
      {
        key: "newsletter",
        kind: "opt_in",
        title: "Newsletter",
        description: "News and offers by email.",
        entryEvents: [],
        expiry: {
          days: 365,
          extendOn: ["email_clicked", "order_placed", "consent_accepted"],
          enabled: true,
        },
      },
      {
        key: "sms",
        kind: "opt_in",
        title: "SMS offers",
        description: "Offers by text message.",
        entryEvents: [],
        expiry: { days: 180, extendOn: ["sms_clicked", "order_placed"], enabled: true },
      },
      {
        key: "order",
        kind: "legal_basis",
        title: "Customer relationship (orders)",
        description: "Legitimate interest after an order, GDPR art. 6(1)(f).",
        entryEvents: ["order_placed"],
        expiry: { days: 1095, extendOn: ["order_placed", "account_upserted"], enabled: true },
      },
    ],
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

const child = spawn(
  path.join(API_DIR, "node_modules", ".bin", "wrangler"),
  ["dev", "--test-scheduled", "--port", String(PORT)],
  { cwd: API_DIR, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code) => process.exit(code ?? 0));
