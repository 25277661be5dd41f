// `pnpm --filter @lapse/api tenant:create --name "Brand" …`: a new tenant and its keys in the
// local (or deployed) D1, through bound statements; the secrets are printed once, on stdout.
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";
import {
  NOT_ENOUGH_SHARDS,
  parseJurisdiction,
  provisionTenant,
  shardCountProblem,
} from "../src/services/tenants/provision.ts";

const config = path.join(import.meta.dirname, "..", "wrangler.jsonc");

const cli = defineCli({
  name: "tenant:create",
  usage:
    "pnpm --filter @lapse/api tenant:create --name TEXT [--cors-origin URL]… [--shards S] [--jurisdiction eu|us] [--remote | --persist-to DIR]",
  summary: [
    "Creates a tenant with a secret key (every scope), a publishable key and a signing key, after",
    "applying the migrations, and places it on the S least-filled data shards (of a jurisdiction,",
    "if given; docs/scaling.md). The keys are printed once as JSON on stdout: store them.",
  ].join("\n"),
  options: {
    name: { type: "string", placeholder: "TEXT", description: "the brand's name (required)" },
    "cors-origin": {
      type: "string",
      placeholder: "URL",
      multiple: true,
      description: "an origin whose pages may call the API, e.g. https://shop.example",
    },
    shards: {
      type: "string",
      placeholder: "S",
      default: "1",
      description: "spread its profiles over S data shards (a power of two: 1, 2, 4, …)",
    },
    jurisdiction: {
      type: "string",
      placeholder: "eu|us",
      description: "keep its data on shards created in this D1 jurisdiction",
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
const parsed = parseJurisdiction(values.jurisdiction);
const jurisdiction = parsed.ok ? parsed.jurisdiction : cli.fail(parsed.message);

const shards = Number(values.shards);
const shardProblem = shardCountProblem(shards);
if (shardProblem !== null) {
  cli.fail(`--shards ${values.shards}: ${shardProblem}`);
}

async function main(): Promise<void> {
  const db = await openD1Target(cli, values, { config, migrate: true });
  try {
    const { statements, secrets } = await provisionTenant({
      name,
      now: Date.now(),
      corsOrigins: values["cors-origin"],
      shards,
      ...(jurisdiction === undefined ? {} : { jurisdiction }),
    });
    try {
      await db.batch(statements);
    } catch (error) {
      if (NOT_ENOUGH_SHARDS.test((error as Error).message)) {
        cli.error(
          `Fewer than ${shards} data shard(s)${jurisdiction ? ` in the ${jurisdiction} jurisdiction` : ""} in the shard map of ${db.description}: add one with \`pnpm shards:add --name NAME${jurisdiction ? ` --jurisdiction ${jurisdiction}` : ""}\` (docs/scaling.md). Nothing was created.`,
        );
      }
      throw error;
    }
    const placed = await db.all<{ binding: string }>({
      sql: `SELECT s.binding FROM tenant_shard AS ts JOIN shard AS s ON s.num = ts.shard
        WHERE ts.tenant_id = ?1 ORDER BY ts.slot`,
      params: [secrets.tenantId],
    });
    console.error(
      `Created tenant ${secrets.tenantId} in ${db.description}, its data on ${placed.map((p) => p.binding).join(", ")}. Shown once, store them:`,
    );
    console.log(JSON.stringify(secrets, null, 2));
  } finally {
    await db.close();
  }
}

await main().catch((error: Error) => cli.error(error.message));
