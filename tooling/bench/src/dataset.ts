// The bench's data, on local D1s the real migrations built (the control plane and the data
// shards): one tenant provisioned as `pnpm dev` and the tests do (bound statements through the
// control plane's binding, which also place it on a data shard), extra keys, a catalogue of up
// to four consents with expiry active; then the profiles, their states and the tenant's sealed
// transparency log (seed.ts) written straight into its data shard's SQLite file with
// `node:sqlite` while nothing else has it open: the log's hashes are computed in Node (SQLite
// has no SHA-256), and a million states with 1.25 M entries and their tiles load in well under
// a minute. The seeded tree is signed with the bench's own proof key, which the Worker is then
// given (PROOF_SIGNING_KEY), so the nightly run's seal extends a checkpointed log.
import { randomBytes } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { generateKey } from "@lapse/api/bench";
import { type ProvisionedSecrets, provisionTenant } from "@lapse/api/provision";
import { localD1File } from "@lapse/dev/d1";
import { applyMigrations } from "@lapse/dev/wrangler";
import { API_CONFIG, type Bench, fmt, MS_PER_DAY } from "./bench.ts";
import {
  proof,
  readCatalogue,
  type SeedConsent,
  type SeedFigures,
  type SeedSpec,
  seed,
  seedConsents,
} from "./seed.ts";

export { GAP_DAYS, profileId } from "./seed.ts";

/** The acceptance entries' actor, as an import by a key would name it. */
export const SEED_ACTOR = "key_bench";
/** The checkpoint origin prefix the bench's Worker is given (PROOF_ORIGIN). */
export const PROOF_ORIGIN = "bench.lapse.example";

/** The bench's proof keys, given to every Worker it serves (never a deployed key). */
export interface ProofVars {
  PROOF_SIGNING_KEY: string;
  ERASURE_KEY: string;
  PROOF_ORIGIN: string;
  [name: string]: string;
}

export interface Dataset {
  secrets: ProvisionedSecrets;
  /** tenant.num */
  tenantNum: number;
  /** The data shard (its binding) the tenant was placed on: its profiles, states and log. */
  shard: string;
  /** Secret keys with the `events` scope. */
  eventKeys: string[];
  publishableKeys: string[];
  /** The consents' ids by key. */
  consentIds: Record<string, string>;
  /** consent.num by key. */
  consentNums: Record<string, number>;
  /** The consents as stored on the control plane (num, key, version, expiry days). */
  consents: SeedConsent[];
  /** States generated as due at T (counted as they were written). */
  expectedDue: number;
  /** The Worker's proof secrets and the verifier key of the signing key. */
  proofVars: ProofVars;
  verifierKey: string;
}

export interface LoadFigures {
  /** Seconds the seed took (rows, hashing, tiles: seed.ts). */
  seconds: number;
  seed: SeedFigures["seconds"];
  counts: { status: string; n: number }[];
  /** Status-change entries (one acceptance per state), as `historyRows` was before. */
  historyRows: number;
  /** Every log entry: the profile bindings and the acceptances. */
  entries: number;
  tiles: number;
}

/** Keys spread the load: the local rate limiter allows 1,200 calls a minute per key. */
export const CALLS_PER_KEY = 1000;

/** Where a layout's local D1s are: its wrangler config and its `--persist-to`. */
export interface Layout {
  config: string;
  persistTo: string;
}

/** One of the tenant's slots and the data shard (binding) the placement put it on. */
export interface Placed {
  slot: number;
  binding: string;
}

/**
 * The tenant, its placement on `shards` data shards, its consents and the extra keys, in one
 * batch of bound statements on the control plane of `layout` (the bench's own by default).
 */
export async function provision(
  bench: Bench,
  activatedAt: number,
  options: { layout?: Layout; shards?: number } = {},
): Promise<
  Pick<Dataset, "secrets" | "eventKeys" | "publishableKeys" | "consentIds"> & {
    placement: Placed[];
  }
> {
  const { opts } = bench;
  const { statements, secrets } = await provisionTenant({
    name: "Bench brand",
    now: activatedAt,
    corsOrigins: [],
    consents: seedConsents(opts.consents),
    shards: options.shards ?? 1,
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
  const { consents, placement } = await bench.query(async (db) => {
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
    return {
      consents: await db.all<{ id: string; key: string }>({
        sql: "SELECT id, key FROM consent WHERE tenant_id = ?1",
        params: [secrets.tenantId],
      }),
      placement: await db.all<Placed>({
        sql: `SELECT ts.slot, s.binding FROM tenant_shard AS ts JOIN shard AS s ON s.num = ts.shard
          WHERE ts.tenant_id = ?1 ORDER BY ts.slot`,
        params: [secrets.tenantId],
      }),
    };
  }, options.layout);
  if (placement.length !== (options.shards ?? 1)) {
    throw new Error(
      `The bench's tenant was placed on ${placement.length} data shards, not ${options.shards ?? 1}.`,
    );
  }
  return {
    secrets,
    eventKeys,
    publishableKeys: readKeys,
    consentIds: Object.fromEntries(consents.map((c) => [c.key, c.id])),
    placement,
  };
}

/** A fresh proof key for this run: the Worker's PROOF_SIGNING_KEY and ERASURE_KEY. */
async function proofKeys(): Promise<{ proofVars: ProofVars; verifierKey: string }> {
  const { signerKey, verifierKey } = await proof.generateSignerKey("lapse-bench");
  return {
    proofVars: {
      PROOF_SIGNING_KEY: signerKey,
      ERASURE_KEY: randomBytes(32).toString("base64"),
      PROOF_ORIGIN,
    },
    verifierKey,
  };
}

/**
 * Migrates the bench's D1s, provisions the tenant, seeds the states and the sealed log into the
 * SQLite file of its data shard and signs the seeded tree's checkpoint; logs what it loaded.
 */
/**
 * Seeds the bench's tenant (or one slot of it: `keep`) into one data shard's SQLite file, then
 * signs the seeded tree's checkpoint as the sealing job would, under `origin`.
 */
export async function seedSigned(
  bench: Bench,
  target: {
    file: string;
    tenant: ReturnType<typeof readCatalogue>;
    origin: string;
    signingKey: string;
    keep?: SeedSpec["keep"];
    log?: SeedSpec["log"];
  },
): Promise<SeedFigures> {
  const data = new DatabaseSync(target.file);
  try {
    const figures = await seed(data, {
      tenant: target.tenant.tenant,
      consents: target.tenant.consents,
      profiles: bench.opts.profiles,
      runDay: bench.runDay,
      due: bench.opts.due,
      history: bench.opts.history,
      actor: SEED_ACTOR,
      now: Date.now(),
      ...(target.keep ? { keep: target.keep } : {}),
      ...(target.log ? { log: target.log } : {}),
    });
    const note = await proof.signCheckpoint(
      { origin: target.origin, size: figures.entries, root: figures.root },
      target.signingKey,
    );
    data
      .prepare("INSERT INTO checkpoint (tenant, size, note, signed_at) VALUES (?, ?, ?, ?)")
      .run(target.tenant.tenant, figures.entries, note, Date.now());
    return figures;
  } finally {
    data.close();
  }
}

export async function loadDataset(bench: Bench): Promise<{ dataset: Dataset; load: LoadFigures }> {
  const { opts, persistTo } = bench;
  let t0 = performance.now();
  await applyMigrations({ config: API_CONFIG, persistTo });
  bench.log(`migrations applied (${fmt((performance.now() - t0) / 1000, 1)} s)`);
  // Activated long enough ago that every consent can have due states at T (R7).
  const { placement, ...base } = await provision(bench, (bench.runDay - 1500) * MS_PER_DAY);
  const [only] = placement;
  if (!only) {
    throw new Error("The bench's tenant was placed on no data shard.");
  }
  const shard = only.binding;
  const keys = await proofKeys();

  t0 = performance.now();
  const control = new DatabaseSync(localD1File(API_CONFIG, persistTo));
  let catalogue: ReturnType<typeof readCatalogue>;
  try {
    catalogue = readCatalogue(control, opts.consents);
  } finally {
    control.close();
  }
  const tenantNum = catalogue.tenant;
  const consentNums = Object.fromEntries(catalogue.consents.map((c) => [c.key, c.num]));
  // The seeded tree's checkpoint, signed as the sealing job signs (origin <prefix>/<tenant>).
  const figures = await seedSigned(bench, {
    file: localD1File(API_CONFIG, persistTo, shard),
    tenant: catalogue,
    origin: `${PROOF_ORIGIN}/${base.secrets.tenantId}`,
    signingKey: keys.proofVars.PROOF_SIGNING_KEY,
    log: opts.profiles > 100_000 ? bench.log : undefined,
  });
  const seconds = (performance.now() - t0) / 1000;
  // Read back through D1 itself: what the Worker will see.
  const counts = await bench.query(
    (db) =>
      db.all<{ status: string; n: number }>({
        sql: `SELECT c.name AS status, COUNT(*) AS n FROM state AS s
          JOIN status_code AS c ON c.code = s.status GROUP BY s.status`,
        params: [],
      }),
    { binding: shard },
  );
  bench.log(
    `seeded ${counts.map((c) => `${fmt(c.n)} ${c.status}`).join(", ")} states, ${fmt(figures.entries)} log entries (${fmt(figures.historyLines)} acceptances) and ${fmt(figures.tiles)} tiles in ${fmt(seconds, 1)} s (rows ${fmt(figures.seconds.rows, 1)} s, hashing ${fmt(figures.seconds.hashing, 1)} s, tiles ${fmt(figures.seconds.tiles, 1)} s); ${fmt(figures.due)} due at T`,
  );
  return {
    dataset: {
      ...base,
      shard,
      tenantNum,
      consentNums,
      consents: catalogue.consents,
      expectedDue: figures.due,
      ...keys,
    },
    load: {
      seconds,
      seed: figures.seconds,
      counts,
      historyRows: figures.historyLines,
      entries: figures.entries,
      tiles: figures.tiles,
    },
  };
}
