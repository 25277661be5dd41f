// The bench's data, as SQL run through `wrangler d1 execute` on a D1 that the real migrations
// built: one tenant (the same statements `pnpm dev` and the tests use), a catalogue of up to
// four consents with expiry active, and the states and their acceptance history generated
// inside SQLite by `INSERT … SELECT` from a recursive CTE (no row crosses the process
// boundary, so a million states load in seconds).
import { writeFileSync } from "node:fs";
import { generateKey } from "../src/services/keys/material.ts";
import {
  type ConsentSeed,
  DEMO_CATALOGUE,
  type ProvisionedSecrets,
  provisionTenant,
} from "../src/services/tenants/provision.ts";

export const MS_PER_DAY = 86_400_000;

/**
 * Not-due states have a last-activity day at least this many days after the run's due limit,
 * so the next nights (T + 1 … T + GAP_DAYS - 1) have nothing due: the "nothing due" night.
 */
export const GAP_DAYS = 8;

type ExpiringSeed = ConsentSeed & { expiry: { days: number; extendOn: string[] } };

/** The catalogue, in the order states are generated: the demo tenant's, plus loyalty. */
export const CATALOGUE: ExpiringSeed[] = [
  ...DEMO_CATALOGUE.flatMap((c) => (c.expiry ? [{ ...c, expiry: c.expiry }] : [])),
  {
    key: "loyalty",
    kind: "opt_in",
    title: "Loyalty programme",
    description: "Points and status news.",
    entryEvents: [],
    expiry: { days: 730, extendOn: ["loyalty_page_visited", "order_placed"], enabled: true },
  },
];

export interface DatasetOptions {
  states: number;
  profiles: number;
  /** Fraction of the states due at T. */
  due: number;
  /** One acceptance history line per state, as an import would leave. */
  history: boolean;
  /** Extra keys: the local rate limiter allows 1,200 calls a minute per key. */
  secretKeys: number;
  publishableKeys: number;
  /** T: the run's scheduledTime. */
  scheduledAt: number;
}

export interface Dataset {
  secrets: ProvisionedSecrets;
  /** Secret keys with the `events` scope. */
  eventKeys: string[];
  publishableKeys: string[];
  consents: number;
  /** Epoch day of T. */
  runDay: number;
  /** States generated as due at T (exact, counted from the same formula as the SQL). */
  expectedDue: number;
}

export function profileId(i: number): string {
  return `cust-${String(i).padStart(7, "0")}`;
}

const HASH_MUL = 2_654_435_761;
const HASH_ADD = 12_345;
const TWO_32 = 4_294_967_296;

/** The same hash as the SQL: whether state number g is due. */
function isDue(g: number, threshold: number): boolean {
  // BigInt: g * HASH_MUL exceeds 2^53 for large g; SQLite computes it in 64-bit integers.
  return (BigInt(g) * BigInt(HASH_MUL) + BigInt(HASH_ADD)) % BigInt(TWO_32) < BigInt(threshold);
}

function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Writes the dataset's SQL files (executed in order) and returns what the bench needs. */
export async function writeDataset(
  options: DatasetOptions,
  fileFor: (name: string) => string,
): Promise<{ dataset: Dataset; files: string[] }> {
  const consents = options.states / options.profiles;
  if (!Number.isInteger(consents) || consents < 1 || consents > CATALOGUE.length) {
    throw new Error(
      `--states must be 1 to ${CATALOGUE.length} times --profiles (one state per profile and consent).`,
    );
  }
  if (options.profiles > 9_999_999) throw new Error("--profiles is at most 9,999,999.");
  const runDay = Math.floor(options.scheduledAt / MS_PER_DAY);
  const catalogue = CATALOGUE.slice(0, consents);
  // Activated long enough ago that every consent can have due states at T (R7).
  const activatedAt = (runDay - 1500) * MS_PER_DAY;
  const { statements, secrets } = await provisionTenant({
    name: "Bench brand",
    now: activatedAt,
    corsOrigins: [],
    consents: catalogue,
  });
  const tenant = sqlText(secrets.tenantId);

  const eventKeys: string[] = [];
  const publishableKeys: string[] = [];
  const keyRows: string[] = [];
  for (let i = 0; i < options.secretKeys + options.publishableKeys; i++) {
    const kind = i < options.secretKeys ? "secret" : "publishable";
    const key = await generateKey(kind);
    (kind === "secret" ? eventKeys : publishableKeys).push(key.plaintext);
    keyRows.push(
      `(${sqlText(key.id)}, ${tenant}, '${kind}', '${kind === "secret" ? '["events"]' : "[]"}', 'Bench ${kind} ${i}', ${sqlText(key.prefix)}, ${sqlText(key.hash)}, ${activatedAt})`,
    );
  }
  const setup = [
    ...statements,
    `INSERT INTO api_key (id, tenant_id, kind, scopes, name, prefix, hash, created_at) VALUES\n${keyRows.join(",\n")};`,
  ];
  const files = [fileFor("0-tenant.sql")];
  writeFileSync(files[0] as string, `${setup.join("\n")}\n`);

  // State g = profile * consents + consent index; due iff hash(g) < threshold. A due state's
  // last activity is up to a year before its due limit; a not-due one is between GAP_DAYS
  // after the limit and the day before T.
  const threshold = Math.round(options.due * TWO_32);
  const cfg = catalogue
    .map((c, k) => `SELECT ${k} AS k, ${sqlText(c.key)} AS key, ${c.expiry.days} AS days`)
    .join(" UNION ALL ");
  const slice = 100_000;
  let part = 1;
  for (let from = 0; from < options.profiles; from += slice) {
    const to = Math.min(options.profiles, from + slice) - 1;
    const sql = [
      `INSERT INTO consent_state (tenant_id, profile_id, consent_id, status, status_changed_at,
  last_activity_day, last_activity_source)
WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}),
cfg AS (${cfg}),
con AS (SELECT cfg.k, cfg.days, consent.id FROM cfg JOIN consent
  ON consent.tenant_id = ${tenant} AND consent.key = cfg.key),
s AS (SELECT n.i, con.id AS consent_id, con.days, n.i * ${consents} + con.k AS g, ${runDay} - con.days AS through
  FROM n CROSS JOIN con)
SELECT ${tenant}, printf('cust-%07d', i), consent_id, 'accepted', day * ${MS_PER_DAY} + 36000000, day, 'accepted'
FROM (SELECT i, consent_id, CASE WHEN (g * ${HASH_MUL} + ${HASH_ADD}) % ${TWO_32} < ${threshold}
    THEN through - (g % 365) ELSE through + ${GAP_DAYS} + (g % (days - ${GAP_DAYS})) END AS day
  FROM s);`,
    ];
    if (options.history) {
      // One acceptance line per state, chained per profile in consent order (the database's
      // chain triggers check each link and move the heads). SQLite has no SHA-256, so the hashes are distinct 64-hex-digit
      // strings of the right shape, not digests: the bench never verifies a chain, and runs
      // and events chain onto these heads exactly as onto real ones.
      const hash = (x: string) =>
        `printf('%08x%08x%08x%08x%08x%08x%08x%08x', ${x}, ${[1, 2, 3, 4, 5, 6, 7]
          .map((j) => `((${x}) * ${HASH_MUL} + ${j * 40_503}) % ${TWO_32}`)
          .join(", ")})`;
      sql.push(`INSERT INTO consent_history (tenant_id, profile_id, consent_id, consent_key,
  consent_version, from_status, to_status, reason, actor, occurred_at, recorded_at, prev_hash, hash)
WITH cfg AS (${cfg})
SELECT s.tenant_id, s.profile_id, s.consent_id, c.key, 1, 'unknown', 'accepted', 'import',
  'key_bench', s.status_changed_at, s.status_changed_at,
  CASE WHEN cfg.k = 0 THEN '' ELSE ${hash(`CAST(substr(s.profile_id, 6) AS INTEGER) * ${consents} + cfg.k`)} END,
  ${hash(`CAST(substr(s.profile_id, 6) AS INTEGER) * ${consents} + cfg.k + 1`)}
FROM consent_state AS s JOIN consent AS c ON c.id = s.consent_id JOIN cfg ON cfg.key = c.key
WHERE s.tenant_id = ${tenant} AND s.profile_id BETWEEN '${profileId(from)}' AND '${profileId(to)}'
ORDER BY s.tenant_id, s.profile_id, cfg.k;`);
    }
    const file = fileFor(`${part++}-states.sql`);
    writeFileSync(file, `${sql.join("\n")}\n`);
    files.push(file);
  }

  let expectedDue = 0;
  for (let g = 0; g < options.states; g++) if (isDue(g, threshold)) expectedDue++;
  return {
    dataset: {
      secrets,
      eventKeys,
      publishableKeys,
      consents,
      runDay,
      expectedDue,
    },
    files,
  };
}
