// `pnpm --filter @lapse/api tenant:create --name "Brand" …`: a new tenant and its keys in the
// local (or deployed) D1, through bound statements; the secrets are printed once, on stdout.
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import { openLocalD1, remoteD1FromConfig, type SqlDatabase } from "@lapse/dev/d1";
import { applyMigrations } from "@lapse/dev/wrangler";
import { provisionTenant } from "../src/services/tenants/provision.ts";

const config = path.join(import.meta.dirname, "..", "wrangler.jsonc");

const cli = defineCli({
  name: "tenant:create",
  usage:
    "pnpm --filter @lapse/api tenant:create --name TEXT [--cors-origin URL]… [--remote | --persist-to DIR]",
  summary: [
    "Creates a tenant with a secret key (every scope), a publishable key and a signing key, after",
    "applying the migrations. The keys are printed once as JSON on stdout: store them.",
  ].join("\n"),
  options: {
    name: { type: "string", placeholder: "TEXT", description: "the brand's name (required)" },
    "cors-origin": {
      type: "string",
      placeholder: "URL",
      multiple: true,
      description: "an origin whose pages may call the API, e.g. https://shop.example",
    },
    remote: {
      type: "boolean",
      description:
        "the deployed D1 (needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN) instead of the local one",
    },
    "persist-to": {
      type: "string",
      placeholder: "DIR",
      description:
        "the local D1's directory, as wrangler's --persist-to (default .wrangler/state; relative to apps/api)",
    },
  },
});

const values = cli.parse();
const name = values.name?.trim() || cli.fail("--name is required");
for (const origin of values["cors-origin"]) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    cli.fail(`--cors-origin ${origin} is not an origin (expected e.g. https://shop.example)`);
  }
}
if (values.remote && values["persist-to"] !== undefined) {
  cli.fail("--persist-to is for the local D1, not with --remote");
}
const local = values["persist-to"] ? { persistTo: path.resolve(values["persist-to"]) } : {};

async function remote(): Promise<SqlDatabase<string>> {
  let db: SqlDatabase<string>;
  try {
    // Before anything runs: a missing token should not stop the command half-way.
    db = remoteD1FromConfig({ config });
  } catch (error) {
    return cli.error((error as Error).message);
  }
  console.error("Applying the migrations to the remote D1…");
  await applyMigrations({ config, remote: true });
  return db;
}

async function localD1(): Promise<SqlDatabase<string>> {
  console.error("Applying the migrations to the local D1…");
  await applyMigrations({ config, ...local });
  return openLocalD1({ config, ...local });
}

async function main(): Promise<void> {
  const db = values.remote ? await remote() : await localD1();
  try {
    const { statements, secrets } = await provisionTenant({
      name,
      now: Date.now(),
      corsOrigins: values["cors-origin"],
    });
    await db.batch(statements);
    console.error(
      `Created tenant ${secrets.tenantId} in ${db.description}. Shown once, store them:`,
    );
    console.log(JSON.stringify(secrets, null, 2));
  } finally {
    await db.close();
  }
}

await main().catch((error: Error) => cli.error(error.message));
