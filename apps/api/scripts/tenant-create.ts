// `pnpm --filter @lapse/api tenant:create --name "Brand" …`: a new tenant and its keys in the
// local (or deployed) D1, through bound statements; the secrets are printed once, on stdout.
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";
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
    ...D1_TARGET_OPTIONS,
  },
});

const values = cli.parse();
const name = values.name?.trim() || cli.fail("--name is required");
for (const origin of values["cors-origin"]) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    cli.fail(`--cors-origin ${origin} is not an origin (expected e.g. https://shop.example)`);
  }
}
async function main(): Promise<void> {
  const db = await openD1Target(cli, values, { config, migrate: true });
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
