// `pnpm --filter @lapse/api history:verify [--tenant ten_…] [--remote]`: checks every
// profile's proof chain (R11) in the local (or deployed) D1; exits 1 when one is broken.
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import type { SqlDatabase } from "@lapse/dev/d1";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";
import { checkChain, type StoredEntry } from "../src/services/history/chain.ts";

const config = path.join(import.meta.dirname, "..", "wrangler.jsonc");

const cli = defineCli({
  name: "history:verify",
  usage: "pnpm --filter @lapse/api history:verify [--tenant ID] [--remote | --persist-to DIR]",
  summary: [
    "Recomputes every profile's proof chain from its history and compares it with the stored",
    "hashes and chain heads. Prints one line per problem and a total; exits 1 if a chain is broken.",
  ].join("\n"),
  options: {
    tenant: { type: "string", placeholder: "ID", description: "only this tenant (ten_…)" },
    ...D1_TARGET_OPTIONS,
  },
});

const values = cli.parse();
if (values.tenant !== undefined && !/^ten_[0-9a-z]+$/.test(values.tenant)) {
  cli.fail(`--tenant ${values.tenant} is not a tenant id (ten_…)`);
}
const tenant = values.tenant;

/** Rows per read: keyset pages in (tenant, profile, seq) order read every chain in one pass. */
const PAGE = 5000;
/** At most one progress line per this many milliseconds. */
const PROGRESS_MS = 2000;

interface Row {
  tenant_id: string;
  profile_id: string;
  seq: number;
  consent_id: string;
  consent_key: string;
  consent_version: number;
  from_status: string;
  to_status: string;
  reason: string;
  actor: string;
  occurred_at: number;
  recorded_at: number;
  prev_hash: string;
  hash: string;
}

interface Head {
  tenant_id: string;
  profile_id: string;
  hash: string;
  entries: number;
}

interface Chain {
  key: string;
  tenantId: string;
  rows: StoredEntry[];
}

const chainKey = (tenantId: string, profileId: string) => `${tenantId}\u0000${profileId}`;

function entryOf(row: Row): StoredEntry {
  return {
    seq: row.seq,
    profileId: row.profile_id,
    consentId: row.consent_id,
    consentKey: row.consent_key,
    consentVersion: row.consent_version,
    from: row.from_status,
    to: row.to_status,
    reason: row.reason,
    actor: row.actor,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * One page of history after `after`. Parameters are strings (the remote API binds nothing
 * else), so `seq` is cast back; the SQL text varies only by whether a tenant is given.
 */
function page(db: SqlDatabase<string>, after: { tenant: string; profile: string; seq: number }) {
  return db.all<Row>({
    sql: `SELECT * FROM consent_history
      WHERE (tenant_id, profile_id, seq) > (?1, ?2, CAST(?3 AS INTEGER))
        ${tenant === undefined ? "" : "AND tenant_id = ?4"}
      ORDER BY tenant_id, profile_id, seq LIMIT ${PAGE}`,
    params: [
      after.tenant,
      after.profile,
      String(after.seq),
      ...(tenant === undefined ? [] : [tenant]),
    ],
  });
}

async function verify(db: SqlDatabase<string>): Promise<number> {
  console.error(`Checking the proof chains in ${db.description}…`);
  const heads = new Map(
    (
      await db.all<Head>({
        sql: `SELECT tenant_id, profile_id, hash, entries FROM history_head
          ${tenant === undefined ? "" : "WHERE tenant_id = ?1"}`,
        params: tenant === undefined ? [] : [tenant],
      })
    ).map((h) => [chainKey(h.tenant_id, h.profile_id), h]),
  );

  let profiles = 0;
  let entries = 0;
  let broken = 0;
  let lastProgress = Date.now();
  const finish = async (chain: Chain) => {
    const problems = await checkChain(chain.tenantId, chain.rows, heads.get(chain.key));
    heads.delete(chain.key);
    profiles += 1;
    entries += chain.rows.length;
    if (problems.length > 0) {
      broken += 1;
      const [tenantId, profileId] = chain.key.split("\u0000");
      for (const p of problems) {
        console.log(`${tenantId} ${profileId} seq=${p.seq ?? "end"} ${p.kind}: ${p.message}`);
      }
    }
  };

  // `as`: typed Chain | null, not narrowed to its first value (the loop assigns it).
  let current = null as Chain | null;
  let after = { tenant: "", profile: "", seq: -1 };
  for (;;) {
    const rows = await page(db, after);
    for (const row of rows) {
      const key = chainKey(row.tenant_id, row.profile_id);
      if (current?.key !== key) {
        if (current) {
          await finish(current);
        }
        current = { key, tenantId: row.tenant_id, rows: [] };
      }
      current.rows.push(entryOf(row));
      after = { tenant: row.tenant_id, profile: row.profile_id, seq: row.seq };
    }
    if (Date.now() - lastProgress > PROGRESS_MS) {
      lastProgress = Date.now();
      console.error(`  ${profiles.toLocaleString("en-US")} profiles checked…`);
    }
    if (rows.length < PAGE) {
      break;
    }
  }
  if (current) {
    await finish(current);
  }
  // Heads without any entry left: a whole trail was deleted.
  for (const [key, head] of heads) {
    const [tenantId, profileId] = key.split("\u0000");
    broken += 1;
    console.log(
      `${tenantId} ${profileId} seq=end head: ${head.entries} entries were recorded, none is left.`,
    );
  }
  console.log(`${profiles} profiles, ${entries} entries checked; ${broken} broken chain(s).`);
  return broken;
}

async function main(): Promise<number> {
  const db = await openD1Target(cli, values, { config, migrate: false });
  try {
    return await verify(db);
  } finally {
    await db.close();
  }
}

const broken = await main().catch((error: Error) => cli.error(error.message));
process.exit(broken > 0 ? 1 : 0);
