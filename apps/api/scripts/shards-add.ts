// `pnpm shards:add --name NAME [--jurisdiction eu|us] [--remote | --persist-to DIR]`: a new
// data shard (docs/scaling.md: growing). Remote: creates the D1 database, adds its SHARD_<n>
// binding to wrangler.jsonc, applies the data migrations, deploys the Worker, then adds the
// shard to the shard map (in that order: a shard in the map that the Worker does not bind
// would fail the calls routed to it). Local: the same without create and deploy.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";
import { applyMigrations, migratedD1Bindings, wrangler } from "@lapse/dev/wrangler";
import { SHARD_BINDING } from "../src/db/shards.ts";
import { parseJurisdiction } from "../src/services/tenants/provision.ts";

const config = path.join(import.meta.dirname, "..", "wrangler.jsonc");

const cli = defineCli({
  name: "shards:add",
  usage: "pnpm shards:add --name NAME [--jurisdiction eu|us] [--remote | --persist-to DIR]",
  summary: [
    "Adds a data shard: creates the D1 database NAME (with --remote; in a jurisdiction if given),",
    "adds its SHARD_<n> binding to apps/api/wrangler.jsonc, applies the data migrations to it,",
    "deploys the Worker (with --remote) and registers the shard in the shard map, where new",
    "tenants are placed on the least-filled shards (docs/scaling.md).",
  ].join("\n"),
  options: {
    name: {
      type: "string",
      placeholder: "NAME",
      description: "the D1 database's name, e.g. lapse-shard-2 (required)",
    },
    jurisdiction: {
      type: "string",
      placeholder: "eu|us",
      description: "create it in this D1 jurisdiction (tenants of that jurisdiction go there)",
    },
    ...D1_TARGET_OPTIONS,
  },
});

const values = cli.parse();
const name = values.name?.trim() || cli.fail("--name is required");
if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
  cli.fail(`--name ${name}: use lower-case letters, digits and dashes (a D1 database name)`);
}
const parsed = parseJurisdiction(values.jurisdiction);
const jurisdiction = (parsed.ok ? parsed.jurisdiction : cli.fail(parsed.message)) ?? null;

/** wrangler.jsonc with one more D1 binding, inserted as text so its comments stay. */
function withShardBinding(text: string, binding: string, name: string, id: string) {
  const start = text.indexOf('"d1_databases"');
  const open = text.indexOf("[", start);
  const close = text.indexOf("]", open);
  const last = text.lastIndexOf("}", close);
  if (start < 0 || open < 0 || close < 0 || last < open) {
    throw new Error("wrangler.jsonc has no d1_databases list to add the shard to");
  }
  const entry = [
    "{",
    `      "binding": "${binding}",`,
    `      "database_name": "${name}",`,
    `      "database_id": "${id}",`,
    `      "migrations_dir": "migrations/data"`,
    "    }",
  ].join("\n");
  return `${text.slice(0, last + 1)},\n    ${entry}${text.slice(last + 1)}`;
}

async function main(): Promise<void> {
  const bound = migratedD1Bindings({ config }).filter((b) => SHARD_BINDING.test(b));
  const next = Math.max(-1, ...bound.map((b) => Number(b.slice("SHARD_".length)))) + 1;
  const binding = `SHARD_${next}`;
  const text = readFileSync(config, "utf8");
  if (text.includes(`"database_name": "${name}"`)) {
    cli.error(`wrangler.jsonc already has a D1 database named ${name}`);
  }
  const local = values["persist-to"] ? { persistTo: path.resolve(values["persist-to"]) } : {};

  let id: string = randomUUID();
  if (values.remote) {
    console.error(`Creating the D1 database ${name}…`);
    const out = await wrangler({ config }, [
      "d1",
      "create",
      name,
      ...(jurisdiction ? ["--jurisdiction", jurisdiction] : []),
    ]);
    const printed = out.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    if (!printed) {
      return cli.error(`wrangler d1 create printed no database id:\n${out}`);
    }
    id = printed[0] as string;
  }
  writeFileSync(config, withShardBinding(text, binding, name, id));
  console.error(`Added ${binding} (${name}, ${id}) to apps/api/wrangler.jsonc.`);

  console.error(`Applying the data migrations to ${binding}…`);
  await applyMigrations({ config, binding, ...(values.remote ? { remote: true } : local) });
  if (values.remote) {
    console.error("Deploying the Worker with the new binding…");
    await wrangler({ config }, ["deploy"]);
  }

  const db = await openD1Target(cli, values, { config, migrate: false });
  try {
    await db.batch([
      {
        // One JSON parameter: the D1 API takes string parameters only, and the jurisdiction
        // may be null.
        sql: `INSERT INTO shard (num, binding, name, jurisdiction, added_at)
          SELECT ?1 ->> '$.num', ?1 ->> '$.binding', ?1 ->> '$.name', ?1 ->> '$.jurisdiction',
            ?1 ->> '$.at'`,
        params: [JSON.stringify({ num: next, binding, name, jurisdiction, at: Date.now() })],
      },
    ]);
  } finally {
    await db.close();
  }
  console.error(
    `Registered ${binding} in the shard map of ${db.description}${jurisdiction ? ` (jurisdiction ${jurisdiction})` : ""}. Commit wrangler.jsonc.`,
  );
}

await main().catch((error: Error) => cli.error(error.message));
