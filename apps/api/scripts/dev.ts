// `pnpm dev`: migrate the local D1, seed the demo tenant once, print its keys, serve the Worker.
// The admin console it serves at /console is built before this by turbo (`@lapse/api#dev`
// depends on `@lapse/console#build` in turbo.json).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openLocalD1, type SqlDatabase } from "@lapse/dev/d1";
import { applyMigrations, wranglerForeground } from "@lapse/dev/wrangler";
import {
  DEMO_CATALOGUE,
  type ProvisionedSecrets,
  provisionTenant,
} from "../src/services/tenants/provision.ts";
import { generateProofKeys } from "./proof-keys.ts";

const API_DIR = path.resolve(import.meta.dirname, "..");
const config = path.join(API_DIR, "wrangler.jsonc");
const PORT = Number(process.env.PORT ?? 8787);
const DEMO_FILE = path.join(API_DIR, ".dev", "demo-tenant.json");
/** wrangler dev's secrets (git-ignored): the transparency log's and erasure's keys. */
const DEV_VARS = path.join(API_DIR, ".dev.vars");

/**
 * Writes .dev.vars with a fresh PROOF_SIGNING_KEY and ERASURE_KEY when it has none (R11, R13):
 * the local stand-ins of the Worker secrets the deploy guide sets with `wrangler secret put`.
 * Kept across runs, so local checkpoints stay verifiable; lines already there are left alone.
 */
function ensureDevVars(): void {
  const text = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const has = (name: string) => new RegExp(`^\\s*${name}\\s*=`, "m").test(text);
  const keys = generateProofKeys("lapse.example");
  const lines = [
    has("PROOF_SIGNING_KEY") ? null : `PROOF_SIGNING_KEY=${keys.signerKey}`,
    has("ERASURE_KEY") ? null : `ERASURE_KEY=${keys.erasureKey}`,
  ].filter((line) => line !== null);
  if (lines.length === 0) {
    return;
  }
  const prefix = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  writeFileSync(DEV_VARS, `${prefix}${lines.join("\n")}\n`, { mode: 0o600 });
  console.log(`Wrote ${lines.length} local key(s) to apps/api/.dev.vars (git-ignored).`);
}

/** The demo tenant of an earlier `pnpm dev`, if its file and its row are both still there. */
async function existingDemo(db: SqlDatabase): Promise<ProvisionedSecrets | null> {
  if (!existsSync(DEMO_FILE)) {
    return null;
  }
  const demo = JSON.parse(readFileSync(DEMO_FILE, "utf8")) as ProvisionedSecrets;
  const rows = await db.all({
    sql: "SELECT id FROM tenant WHERE id = ?1",
    params: [demo.tenantId],
  });
  return rows.length > 0 ? demo : null;
}

async function seedDemo(db: SqlDatabase): Promise<ProvisionedSecrets> {
  const { statements, secrets } = await provisionTenant({
    name: "Demo brand",
    now: Date.now(),
    corsOrigins: [`http://localhost:${PORT}`, "http://localhost:5173", "http://127.0.0.1:5173"],
    consents: DEMO_CATALOGUE,
  });
  await db.batch(statements);
  mkdirSync(path.dirname(DEMO_FILE), { recursive: true });
  writeFileSync(DEMO_FILE, `${JSON.stringify(secrets, null, 2)}\n`);
  console.log("Seeded the demo tenant.");
  return secrets;
}

ensureDevVars();
console.log(
  "Applying the migrations to the local D1 databases (the control plane and its data shards)…",
);
await applyMigrations({ config });
// Closed before `wrangler dev` opens the same files.
const db = await openLocalD1({ config });
let demo: ProvisionedSecrets;
try {
  demo = (await existingDemo(db)) ?? (await seedDemo(db));
} finally {
  await db.close();
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

// wrangler.jsonc `assets` serves public/, where the console's Vite build writes.
if (existsSync(path.join(API_DIR, "public", "console", "index.html"))) {
  console.log(`Admin console: http://localhost:${PORT}/console/ (sign in with the secret key)`);
} else {
  console.log(
    "The admin console is not built (pnpm --filter @lapse/console build): /console answers 404.",
  );
}

process.exit(
  await wranglerForeground({ config }, ["dev", "--test-scheduled", "--port", String(PORT)]),
);
