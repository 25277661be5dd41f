// The bench's data, on a D1 the real migrations built: one tenant provisioned as `pnpm dev`
// and the tests do (bound statements through a D1 binding), extra keys, a catalogue of up to
// four consents with expiry active, then the states and their acceptance history generated
// inside SQLite by `INSERT … SELECT` from a recursive CTE, run by `wrangler d1 execute --file`
// (no row crosses the process boundary, so a million states load in seconds). Those files
// hold numbers and generated ids only, checked before they are written: nothing to escape.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { generateKey } from "@lapse/api/bench";
import {
  type ConsentSeed,
  DEMO_CATALOGUE,
  type ProvisionedSecrets,
  provisionTenant,
} from "@lapse/api/provision";
import { applyMigrations, wrangler } from "@lapse/dev/wrangler";
import { API_CONFIG, type Bench, fmt, MS_PER_DAY } from "./bench.ts";
import { MAX_CONSENTS } from "./options.ts";

/**
 * Not-due states have a last-activity day at least this many days after the run's due limit,
 * so the next nights (T + 1 … T + GAP_DAYS - 1) have nothing due: the "nothing due" night.
 */
export const GAP_DAYS = 8;

type ExpiringSeed = ConsentSeed & { expiry: { days: number; extendOn: string[] } };

/** The catalogue, in the order states are generated: the demo tenant's, plus loyalty. */
const CATALOGUE: ExpiringSeed[] = [
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
if (CATALOGUE.length !== MAX_CONSENTS) {
  throw new Error(`The bench's catalogue has ${CATALOGUE.length} consents, not ${MAX_CONSENTS}.`);
}

export interface Dataset {
  secrets: ProvisionedSecrets;
  /** Secret keys with the `events` scope. */
  eventKeys: string[];
  publishableKeys: string[];
  /** The consents' ids by key. */
  consentIds: Record<string, string>;
  /** States generated as due at T (exact, counted from the same formula as the SQL). */
  expectedDue: number;
}

export interface LoadFigures {
  /** Seconds `wrangler d1 execute` took over the state files. */
  seconds: number;
  counts: { status: string; n: number }[];
  historyRows: number;
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

/** A generated id (`ten_…`, `con_…`) as a SQL literal: checked, so nothing needs escaping. */
function generatedId(id: string): string {
  if (!/^[a-z]{3}_[0-9a-z]+$/.test(id)) {
    throw new Error(`Not a generated id: ${JSON.stringify(id)}`);
  }
  return `'${id}'`;
}

/** Keys spread the load: the local rate limiter allows 1,200 calls a minute per key. */
export const CALLS_PER_KEY = 1000;

/** The tenant, its consents and the extra keys, in one batch of bound statements. */
async function provision(bench: Bench, activatedAt: number): Promise<Omit<Dataset, "expectedDue">> {
  const { opts } = bench;
  const { statements, secrets } = await provisionTenant({
    name: "Bench brand",
    now: activatedAt,
    corsOrigins: [],
    consents: CATALOGUE.slice(0, opts.consents),
  });
  const secretKeys = Math.ceil((opts.ingestBatches * 2 + 50) / CALLS_PER_KEY) + 1;
  const publishableKeys = Math.ceil((opts.readSeconds * 6000 + 1000) / CALLS_PER_KEY) + 1;
  const eventKeys: string[] = [];
  const readKeys: string[] = [];
  const keyRows: Record<string, string>[] = [];
  for (let i = 0; i < secretKeys + publishableKeys; i++) {
    const kind = i < secretKeys ? "secret" : "publishable";
    const key = await generateKey(kind);
    (kind === "secret" ? eventKeys : readKeys).push(key.plaintext);
    keyRows.push({
      id: key.id,
      kind,
      scopes: kind === "secret" ? '["events"]' : "[]",
      name: `Bench ${kind} ${i}`,
      prefix: key.prefix,
      hash: key.hash,
    });
  }
  const consents = await bench.query(async (db) => {
    await db.batch([
      ...statements,
      {
        sql: `INSERT INTO api_key (id, tenant_id, kind, scopes, name, prefix, hash, created_at)
          SELECT value ->> 'id', ?1, value ->> 'kind', value ->> 'scopes', value ->> 'name',
            value ->> 'prefix', value ->> 'hash', ?2
          FROM json_each(?3)`,
        params: [secrets.tenantId, activatedAt, JSON.stringify(keyRows)],
      },
    ]);
    return db.all<{ id: string; key: string }>({
      sql: "SELECT id, key FROM consent WHERE tenant_id = ?1",
      params: [secrets.tenantId],
    });
  });
  return {
    secrets,
    eventKeys,
    publishableKeys: readKeys,
    consentIds: Object.fromEntries(consents.map((c) => [c.key, c.id])),
  };
}

/**
 * The files that generate the states (and their history) of 100,000 profiles each. State
 * g = profile * consents + consent index; due iff hash(g) < threshold. A due state's last
 * activity is up to a year before its due limit; a not-due one is between GAP_DAYS after the
 * limit and the day before T.
 */
function writeStateFiles(bench: Bench, base: Omit<Dataset, "expectedDue">): string[] {
  const { opts, runDay } = bench;
  const consents = opts.consents;
  const tenant = generatedId(base.secrets.tenantId);
  const threshold = Math.round(opts.due * TWO_32);
  const cfg = CATALOGUE.slice(0, consents)
    .map((c, k) => {
      const id = base.consentIds[c.key];
      if (!id) {
        throw new Error(`Consent ${c.key} was not provisioned.`);
      }
      return `SELECT ${k} AS k, ${generatedId(id)} AS id, ${c.expiry.days} AS days`;
    })
    .join(" UNION ALL ");
  // One acceptance line per state, chained per profile in consent order (the database's chain
  // triggers check each link and move the heads). SQLite has no SHA-256, so the hashes are
  // distinct 64-hex-digit strings of the right shape, not digests: the bench never verifies a
  // chain, and runs and events chain onto these heads exactly as onto real ones.
  const hash = (x: string) =>
    `printf('%08x%08x%08x%08x%08x%08x%08x%08x', ${x}, ${[1, 2, 3, 4, 5, 6, 7]
      .map((j) => `((${x}) * ${HASH_MUL} + ${j * 40_503}) % ${TWO_32}`)
      .join(", ")})`;
  const chainIndex = `CAST(substr(s.profile_id, 6) AS INTEGER) * ${consents} + cfg.k`;
  const files: string[] = [];
  const slice = 100_000;
  for (let from = 0, part = 1; from < opts.profiles; from += slice, part++) {
    const to = Math.min(opts.profiles, from + slice) - 1;
    const sql = [
      `INSERT INTO consent_state (tenant_id, profile_id, consent_id, status, status_changed_at,
  last_activity_day, last_activity_source)
WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}),
cfg AS (${cfg}),
s AS (SELECT n.i, cfg.id AS consent_id, cfg.days, n.i * ${consents} + cfg.k AS g,
  ${runDay} - cfg.days AS through FROM n CROSS JOIN cfg)
SELECT ${tenant}, printf('cust-%07d', i), consent_id, 'accepted', day * ${MS_PER_DAY} + 36000000, day, 'accepted'
FROM (SELECT i, consent_id, CASE WHEN (g * ${HASH_MUL} + ${HASH_ADD}) % ${TWO_32} < ${threshold}
    THEN through - (g % 365) ELSE through + ${GAP_DAYS} + (g % (days - ${GAP_DAYS})) END AS day
  FROM s);`,
    ];
    if (opts.history) {
      sql.push(`INSERT INTO consent_history (tenant_id, profile_id, consent_id, consent_key,
  consent_version, from_status, to_status, reason, actor, occurred_at, recorded_at, prev_hash, hash)
WITH cfg AS (${cfg})
SELECT s.tenant_id, s.profile_id, s.consent_id, c.key, 1, 'unknown', 'accepted', 'import',
  'key_bench', s.status_changed_at, s.status_changed_at,
  CASE WHEN cfg.k = 0 THEN '' ELSE ${hash(chainIndex)} END, ${hash(`${chainIndex} + 1`)}
FROM consent_state AS s JOIN consent AS c ON c.id = s.consent_id JOIN cfg ON cfg.id = s.consent_id
WHERE s.tenant_id = ${tenant} AND s.profile_id BETWEEN '${profileId(from)}' AND '${profileId(to)}'
ORDER BY s.tenant_id, s.profile_id, cfg.k;`);
    }
    const file = path.join(bench.work, `states-${part}.sql`);
    writeFileSync(file, `${sql.join("\n")}\n`);
    files.push(file);
  }
  return files;
}

/** Migrates the bench's D1, provisions the tenant and loads the states; logs what it loaded. */
export async function loadDataset(bench: Bench): Promise<{ dataset: Dataset; load: LoadFigures }> {
  const { opts, persistTo } = bench;
  let t0 = performance.now();
  await applyMigrations({ config: API_CONFIG, persistTo });
  bench.log(`migrations applied (${fmt((performance.now() - t0) / 1000, 1)} s)`);
  // Activated long enough ago that every consent can have due states at T (R7).
  const base = await provision(bench, (bench.runDay - 1500) * MS_PER_DAY);
  const files = writeStateFiles(bench, base);

  t0 = performance.now();
  for (const [i, file] of files.entries()) {
    await wrangler({ config: API_CONFIG }, [
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      persistTo,
      "--file",
      file,
      "--yes",
    ]);
    if (files.length > 1) {
      bench.log(`  loaded ${fmt(Math.min(opts.profiles, (i + 1) * 100_000))} profiles`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const [counts, history] = await bench.query((db) =>
    Promise.all([
      db.all<{ status: string; n: number }>({
        sql: "SELECT status, COUNT(*) AS n FROM consent_state GROUP BY status",
        params: [],
      }),
      db.all<{ n: number }>({ sql: "SELECT COUNT(*) AS n FROM consent_history", params: [] }),
    ]),
  );
  const threshold = Math.round(opts.due * TWO_32);
  let expectedDue = 0;
  for (let g = 0; g < opts.states; g++) {
    if (isDue(g, threshold)) {
      expectedDue++;
    }
  }
  const historyRows = history[0]?.n ?? 0;
  bench.log(
    `loaded ${counts.map((c) => `${fmt(c.n)} ${c.status}`).join(", ")} states and ${fmt(historyRows)} history lines through wrangler d1 execute in ${fmt(seconds, 1)} s; ${fmt(expectedDue)} due at T`,
  );
  return { dataset: { ...base, expectedDue }, load: { seconds, counts, historyRows } };
}
