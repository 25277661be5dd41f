// `pnpm --filter @lapse/api shards:list [--remote | --persist-to DIR]`: the operator's view of
// the data shards (SPEC §6, docs/scaling.md): each shard's binding, database, jurisdiction,
// tenants, profiles, states, log entries, size and fill against D1's 10 GB limit. Reads the
// control plane's shard map, then counts on each shard (a full count: one row read per row).
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import type { SqlDatabase } from "@lapse/dev/d1";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";

const config = path.join(import.meta.dirname, "..", "wrangler.jsonc");
/** D1's per-database limit, which cannot be raised. */
const D1_LIMIT_BYTES = 10 * 1000 ** 3;

const cli = defineCli({
  name: "shards:list",
  usage: "pnpm --filter @lapse/api shards:list [--json] [--remote | --persist-to DIR]",
  summary: [
    "Lists the data shards of the shard map with their jurisdiction, the tenants placed on",
    "them, their profiles, states and log entries, their size and their fill against D1's 10 GB",
    "limit (docs/scaling.md: what to watch). Counting reads every row of each shard.",
  ].join("\n"),
  options: {
    json: { type: "boolean", description: "print the figures as JSON instead of a table" },
    ...D1_TARGET_OPTIONS,
  },
});

const values = cli.parse();

interface ShardRow {
  num: number;
  binding: string;
  name: string;
  jurisdiction: string | null;
  tenants: number;
  bytes: number;
}

async function figuresOf(shard: ShardRow) {
  const db = await openD1Target(cli, values, {
    config,
    migrate: false,
    inProcess: true,
    binding: shard.binding,
  });
  try {
    const [counts] = await db.all<{ profiles: number; states: number; entries: number }>({
      sql: `SELECT (SELECT count(*) FROM profile) AS profiles, (SELECT count(*) FROM state) AS states,
        (SELECT count(*) FROM entry) AS entries`,
      params: [],
    });
    let bytes = shard.bytes;
    try {
      const [size] = await db.all<{ bytes: number }>({
        sql: "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
        params: [],
      });
      bytes = size?.bytes ?? bytes;
    } catch {
      // No page pragmas here (the D1 API): the size the shard map last recorded.
    }
    return { ...counts, bytes };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const control: SqlDatabase<string> = await openD1Target(cli, values, { config, migrate: false });
  let shards: ShardRow[];
  try {
    shards = await control.all<ShardRow>({
      sql: `SELECT s.num, s.binding, s.name, s.jurisdiction, s.bytes,
        (SELECT count(DISTINCT tenant_id) FROM tenant_shard WHERE shard = s.num) AS tenants
        FROM shard AS s ORDER BY s.num`,
      params: [],
    });
  } finally {
    await control.close();
  }
  const rows = [];
  for (const [i, shard] of shards.entries()) {
    console.error(`Counting ${shard.binding} (${i + 1} of ${shards.length})…`);
    const figures = await figuresOf(shard);
    rows.push({
      shard: shard.binding,
      database: shard.name,
      jurisdiction: shard.jurisdiction ?? "-",
      tenants: shard.tenants,
      ...figures,
      fill: figures.bytes / D1_LIMIT_BYTES,
    });
  }
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const table = rows.map((r) => ({
    ...r,
    bytes: `${(r.bytes / 1e6).toFixed(1)} MB`,
    fill: `${(r.fill * 100).toFixed(2)} %`,
  }));
  console.table(table);
  console.error(`${rows.length} shard(s) in the shard map.`);
}

await main().catch((error: Error) => cli.error(error.message));
