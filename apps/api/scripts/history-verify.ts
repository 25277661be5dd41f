// pnpm --filter @lapse/api history:verify [--tenant ten_…] [--remote]
// Checks every profile's proof chain (R11) in the local (or remote) D1, and exits 1 on a problem.
import { parseArgs } from "node:util";
import { checkChain, type StoredEntry } from "../src/services/history/chain.ts";
import { query } from "./wrangler.ts";

const { values } = parseArgs({
  options: { tenant: { type: "string" }, remote: { type: "boolean", default: false } },
});
const remote = values.remote ?? false;
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const tenantFilter = values.tenant ? `WHERE tenant_id = ${quote(values.tenant)}` : "";
const PAGE = 5000;

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

const heads = new Map(
  query<{ tenant_id: string; profile_id: string; hash: string; entries: number }>(
    `SELECT tenant_id, profile_id, hash, entries FROM history_head ${tenantFilter}`,
    remote,
  ).map((h) => [`${h.tenant_id}\u0000${h.profile_id}`, h]),
);

let profiles = 0;
let entries = 0;
let broken = 0;
interface Chain {
  key: string;
  tenantId: string;
  rows: StoredEntry[];
}
let current = null as Chain | null;

async function finish(chain: Chain): Promise<void> {
  const problems = await checkChain(chain.tenantId, chain.rows, heads.get(chain.key));
  heads.delete(chain.key);
  profiles += 1;
  entries += chain.rows.length;
  if (problems.length > 0) {
    broken += 1;
    const [tenantId, profileId] = chain.key.split("\u0000");
    for (const p of problems)
      console.log(`${tenantId} ${profileId} seq=${p.seq ?? "end"} ${p.kind}: ${p.message}`);
  }
}

// Keyset pagination in (tenant, profile, seq) order: every chain is read in one pass.
let after = { tenant: "", profile: "", seq: -1 };
for (;;) {
  const rows = query<Row>(
    `SELECT * FROM consent_history
     WHERE (tenant_id, profile_id, seq) > (${quote(after.tenant)}, ${quote(after.profile)}, ${after.seq})
       ${values.tenant ? `AND tenant_id = ${quote(values.tenant)}` : ""}
     ORDER BY tenant_id, profile_id, seq LIMIT ${PAGE}`,
    remote,
  );
  for (const row of rows) {
    const key = `${row.tenant_id}\u0000${row.profile_id}`;
    if (current?.key !== key) {
      if (current) await finish(current);
      current = { key, tenantId: row.tenant_id, rows: [] };
    }
    current.rows.push({
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
    });
    after = { tenant: row.tenant_id, profile: row.profile_id, seq: row.seq };
  }
  if (rows.length < PAGE) break;
}
if (current) await finish(current);
// Heads without any entry left: a whole trail was deleted.
for (const [key, head] of heads) {
  const [tenantId, profileId] = key.split("\u0000");
  broken += 1;
  console.log(
    `${tenantId} ${profileId} seq=end head: ${head.entries} entries were recorded, none is left.`,
  );
}
console.log(`${profiles} profiles, ${entries} entries checked; ${broken} broken chain(s).`);
process.exit(broken > 0 ? 1 : 0);
