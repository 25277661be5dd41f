// The bench's states and their log, written straight into a data shard's SQLite file (the
// schema of migrations/data): profiles with 32-byte random salts, their states, and the
// tenant's transparency log (R11) — one profile-binding entry per profile, then one acceptance
// entry per state, numbered densely from leaf index 0 — with the Merkle tree integrated into
// C2SP tiles and `log_tree`, so the seeded log is sealed. The hashes are real (the same
// @lapse/proof encoding and leaf hash the API's sealing uses), computed here in Node: SQLite
// has no SHA-256. Node's `node:sqlite` is the same engine as D1's local file.
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { type ConsentSeed, DEMO_CATALOGUE } from "@lapse/api/provision";
import * as proof from "@lapse/proof";
import { MAX_CONSENTS } from "./options.ts";

export { proof };

const { appendToTiles, encodeEntry, profileCommitment, REASON_CODES, STATUS_CODES, treeRoot } =
  proof;
type ReadTile = proof.ReadTile;

/**
 * Leaf hashes of the seed's two entry shapes, SHA-256(0x00 ‖ encodeEntry(entry)) as
 * @lapse/proof defines them, from a template of each shape's canonical bytes with the numbers
 * patched in: encodeEntry builds every field separately, which over a million entries costs
 * more than the rows (seed.test.ts checks the root against @lapse/proof's own entryLeafHash).
 */
class LeafHasher {
  private readonly templates = new Map<string, { bytes: Buffer; profileAt: number }>();

  /** A shape's bytes once, with zeros in the profile and time fields (found by their offset). */
  private template(key: string, build: () => proof.Entry): { bytes: Buffer; profileAt: number } {
    let t = this.templates.get(key);
    if (!t) {
      const bytes = Buffer.concat([Buffer.of(0x00), Buffer.from(encodeEntry(build()))]);
      // leaf prefix, version, kind, then the profile u64.
      t = { bytes, profileAt: 3 };
      this.templates.set(key, t);
    }
    return t;
  }

  private static u64(buffer: Buffer, at: number, value: number): void {
    buffer.writeUInt32BE(Math.floor(value / 4_294_967_296), at);
    buffer.writeUInt32BE(value >>> 0, at + 4);
  }

  private static digest(bytes: Buffer): Uint8Array {
    return new Uint8Array(createHash("sha256").update(bytes).digest());
  }

  binding(profile: number, commitment: Uint8Array, recordedAt: number): Uint8Array {
    const t = this.template("binding", () => ({
      kind: "profile_binding",
      profile: 0,
      commitment: new Uint8Array(32),
      recordedAt: 0,
    }));
    LeafHasher.u64(t.bytes, t.profileAt, profile);
    t.bytes.set(commitment, t.profileAt + 8);
    LeafHasher.u64(t.bytes, t.bytes.length - 8, recordedAt);
    return LeafHasher.digest(t.bytes);
  }

  /** An acceptance by import (unknown → accepted); instants are positive here. */
  acceptance(
    profile: number,
    consent: SeedConsent,
    actor: string,
    occurredAt: number,
    recordedAt: number,
  ): Uint8Array {
    const t = this.template(`acceptance:${consent.key}:${consent.version}:${actor}`, () => ({
      kind: "status_change",
      profile: 0,
      consent: consent.key,
      consentVersion: consent.version,
      from: "unknown",
      to: "accepted",
      reason: "import",
      actor,
      occurredAt: 0,
      recordedAt: 0,
    }));
    LeafHasher.u64(t.bytes, t.profileAt, profile);
    LeafHasher.u64(t.bytes, t.bytes.length - 16, occurredAt);
    LeafHasher.u64(t.bytes, t.bytes.length - 8, recordedAt);
    return LeafHasher.digest(t.bytes);
  }
}

export const MS_PER_DAY = 86_400_000;

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

/** The first `n` consents of the catalogue, to provision. */
export function seedConsents(n: number): ExpiringSeed[] {
  return CATALOGUE.slice(0, n);
}

const require = createRequire(import.meta.url);
const API_DIR = path.dirname(require.resolve("@lapse/api/wrangler.jsonc"));
/**
 * The API's two kinds of database and their migrations, as the `migrations_dir` of its
 * wrangler config names them: the control plane (DB) and a data shard (each SHARD_<n>).
 */
const MIGRATIONS_DIRS = {
  control: path.join(API_DIR, "migrations", "control"),
  data: path.join(API_DIR, "migrations", "data"),
} as const;

/**
 * Applies the migration files of one kind of database in order, as
 * `wrangler d1 migrations apply` does.
 */
export function applyMigrationFiles(db: DatabaseSync, kind: keyof typeof MIGRATIONS_DIRS): void {
  const dir = MIGRATIONS_DIRS[kind];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    db.exec(readFileSync(path.join(dir, file), "utf8"));
  }
}

/**
 * The provisioned tenant's number and the catalogue's first `n` consents as stored, from the
 * control plane (`db`).
 */
export function readCatalogue(
  db: DatabaseSync,
  n: number,
): { tenant: number; tenantId: string; consents: SeedConsent[] } {
  const tenants = db.prepare("SELECT id, num FROM tenant").all() as { id: string; num: number }[];
  const [only] = tenants;
  if (tenants.length !== 1 || !only) {
    throw new Error(`The bench's database holds ${tenants.length} tenants, not 1.`);
  }
  const rows = db
    .prepare("SELECT num, key, version, expiry_days AS days FROM consent WHERE tenant_id = ?")
    .all(only.id) as { num: number; key: string; version: number; days: number }[];
  const consents = seedConsents(n).map((c) => {
    const row = rows.find((r) => r.key === c.key);
    if (!row) {
      throw new Error(`Consent ${c.key} was not provisioned.`);
    }
    return { num: row.num, key: row.key, version: row.version, days: row.days };
  });
  return { tenant: only.num, tenantId: only.id, consents };
}

/**
 * Not-due states have a last-activity day at least this many days after the run's due limit,
 * so the next nights (T + 1 … T + GAP_DAYS - 1) have nothing due: the "nothing due" night.
 */
export const GAP_DAYS = 8;

const HASH_MUL = 2_654_435_761n;
const HASH_ADD = 12_345n;
const TWO_32 = 4_294_967_296;

/** Whether state number g is due at T (a multiplicative hash of g below `threshold`). */
export function isDue(g: number, threshold: number): boolean {
  // BigInt: g * HASH_MUL exceeds 2^53 for large g.
  return (BigInt(g) * HASH_MUL + HASH_ADD) % BigInt(TWO_32) < BigInt(threshold);
}

export function dueThreshold(due: number): number {
  return Math.round(due * TWO_32);
}

export function profileId(i: number): string {
  return `cust-${String(i).padStart(7, "0")}`;
}

/** The status code of `accepted`, `unknown`, and the reason `import` (the data shard's codes). */
const ACCEPTED = STATUS_CODES.accepted;
const UNKNOWN = STATUS_CODES.unknown;
const IMPORT = REASON_CODES.import;
/** source_code 0: the acceptance itself last extended the state. */
const SOURCE_ACCEPTED = 0;

export interface SeedConsent {
  /** consent.num */
  num: number;
  key: string;
  /** consent.version (the wording the acceptance entries name). */
  version: number;
  /** The expiry policy's days. */
  days: number;
}

export interface SeedSpec {
  /** tenant.num */
  tenant: number;
  /** The consents a profile holds, in order: state g = profile · consents + k. */
  consents: SeedConsent[];
  profiles: number;
  /** The epoch day of T. */
  runDay: number;
  /** Fraction of the states due at T. */
  due: number;
  /** One acceptance entry per state; without it the log holds the profile bindings only. */
  history: boolean;
  /** The acceptance entries' actor (the `actor` table's name). */
  actor: string;
  /** `log_tree.sealed_at`. */
  now: number;
  /** Profiles per transaction and per tile append (default 50,000). */
  slice?: number;
  /** Progress, once per slice. */
  log?: (line: string) => void;
  /**
   * Only the profiles (by number, 0 … profiles - 1) this returns true for: those of one slot
   * of a tenant on several shards (shards.ts). Every profile when absent. A state's number g
   * (what decides whether it is due) stays the one it has in the whole data set.
   */
  keep?: (profile: number) => boolean;
}

export interface SeedFigures {
  /** Profiles written (those `keep` kept). */
  profiles: number;
  states: number;
  due: number;
  entries: number;
  /** Of `entries`, acceptance (status-change) entries. */
  historyLines: number;
  tiles: number;
  root: Uint8Array;
  seconds: { rows: number; hashing: number; tiles: number; total: number };
}

/**
 * Writes the states, profiles, entries and tiles of one tenant into `db`, the data shard it is
 * placed on (migrated, no profile yet; the tenant and its consents are on the control plane).
 * Synchronous: `node:sqlite` is.
 */
export async function seed(db: DatabaseSync, spec: SeedSpec): Promise<SeedFigures> {
  const started = performance.now();
  const { tenant, consents, profiles, runDay } = spec;
  const threshold = dueThreshold(spec.due);
  const firstProfile =
    ((db.prepare("SELECT coalesce(max(id), 0) AS n FROM profile").get() as { n: number }).n ?? 0) +
    1;
  const firstIdx = (
    db
      .prepare("SELECT coalesce(max(idx), -1) + 1 AS n FROM entry WHERE tenant = ?")
      .get(tenant) as {
      n: number;
    }
  ).n;
  if (firstIdx !== 0) {
    throw new Error(`Tenant ${tenant} already has ${firstIdx} entries: the seed starts a log.`);
  }
  db.prepare("INSERT INTO actor (tenant, name) VALUES (?, ?) ON CONFLICT DO NOTHING").run(
    tenant,
    spec.actor,
  );
  const actor = (
    db.prepare("SELECT id FROM actor WHERE tenant = ? AND name = ?").get(tenant, spec.actor) as {
      id: number;
    }
  ).id;

  const insertProfile = db.prepare(
    "INSERT INTO profile (id, tenant, external_id, salt) VALUES (?, ?, ?, ?)",
  );
  const insertState = db.prepare(
    `INSERT INTO state (profile, consent, status, changed_at, activity_day, source, expired_at)
     VALUES (?, ?, ${ACCEPTED}, ?, ?, ${SOURCE_ACCEPTED}, NULL)`,
  );
  const insertBinding = db.prepare(
    `INSERT INTO entry (tenant, idx, kind, profile, recorded_at, data) VALUES (?, ?, 2, ?, ?, ?)`,
  );
  const insertAcceptance = db.prepare(
    `INSERT INTO entry (tenant, idx, kind, profile, consent, version, from_status, to_status,
       reason, actor, occurred_at, recorded_at)
     VALUES (?, ?, 1, ?, ?, ?, ${UNKNOWN}, ${ACCEPTED}, ${IMPORT}, ?, ?, ?)`,
  );
  const readTileRow = db.prepare(
    "SELECT hashes FROM tile WHERE tenant = ? AND level = ? AND idx = ?",
  );
  const writeTile = db.prepare(
    `INSERT INTO tile (tenant, level, idx, hashes) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant, level, idx) DO UPDATE SET hashes = excluded.hashes`,
  );
  const readTile: ReadTile = async (level, index) =>
    (readTileRow.get(tenant, level, index) as { hashes: Uint8Array } | undefined)?.hashes;

  const hasher = new LeafHasher();
  const t = { rows: 0, hashing: 0, tiles: 0 };
  let idx = 0;
  let written = 0;
  let states = 0;
  let due = 0;
  let historyLines = 0;
  const slice = spec.slice ?? 50_000;
  for (let from = 0; from < profiles; from += slice) {
    const to = Math.min(profiles, from + slice);
    const leaves: Uint8Array[] = [];
    const sliceSize = idx;
    db.exec("BEGIN");
    try {
      for (let i = from; i < to; i++) {
        if (spec.keep && !spec.keep(i)) {
          continue;
        }
        const pk = firstProfile + written;
        written++;
        const externalId = profileId(i);
        const salt = randomBytes(32);
        let t0 = performance.now();
        insertProfile.run(pk, tenant, externalId, salt);
        const days: number[] = consents.map((c, k) => {
          const g = i * consents.length + k;
          const through = runDay - c.days;
          if (isDue(g, threshold)) {
            due++;
            return through - (g % 365);
          }
          return through + GAP_DAYS + (g % (c.days - GAP_DAYS));
        });
        const at = days.map((day) => day * MS_PER_DAY + 36_000_000);
        consents.forEach((c, k) => {
          insertState.run(pk, c.num, at[k] as number, days[k] as number);
        });
        states += consents.length;
        // The profile's binding, recorded with its first acceptance.
        const bindingAt = Math.min(...at);
        const commitment = profileCommitment(salt, externalId);
        insertBinding.run(tenant, idx, pk, bindingAt, commitment);
        t.rows += performance.now() - t0;
        t0 = performance.now();
        leaves.push(hasher.binding(pk, commitment, bindingAt));
        t.hashing += performance.now() - t0;
        idx++;
        if (spec.history) {
          consents.forEach((c, k) => {
            const recordedAt = at[k] as number;
            let t1 = performance.now();
            insertAcceptance.run(tenant, idx, pk, c.num, c.version, actor, recordedAt, recordedAt);
            t.rows += performance.now() - t1;
            t1 = performance.now();
            leaves.push(hasher.acceptance(pk, c, spec.actor, recordedAt, recordedAt));
            t.hashing += performance.now() - t1;
            idx++;
            historyLines++;
          });
        }
      }
      // Integrate this slice's leaves into the tiles: as the sealing job does, reading only the
      // right edge of the tree.
      const t0 = performance.now();
      const appended = await appendToTiles(sliceSize, leaves, readTile);
      for (const tile of appended.tiles) {
        writeTile.run(tenant, tile.level, tile.index, tile.hashes);
      }
      t.tiles += performance.now() - t0;
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
    spec.log?.(
      `  seeded ${written.toLocaleString("en-US")} profiles, ${idx.toLocaleString("en-US")} entries`,
    );
  }
  const t0 = performance.now();
  const root = await treeRoot(idx, readTile);
  db.prepare(
    `INSERT INTO log_tree (tenant, size, root, sealed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant) DO UPDATE SET size = excluded.size, root = excluded.root,
       sealed_at = excluded.sealed_at`,
  ).run(tenant, idx, root, spec.now);
  t.tiles += performance.now() - t0;
  const tiles = (
    db.prepare("SELECT count(*) AS n FROM tile WHERE tenant = ?").get(tenant) as { n: number }
  ).n;
  const ms = (x: number) => x / 1000;
  return {
    profiles: written,
    states,
    due,
    entries: idx,
    historyLines,
    tiles,
    root,
    seconds: {
      rows: ms(t.rows),
      hashing: ms(t.hashing),
      tiles: ms(t.tiles),
      total: ms(performance.now() - started),
    },
  };
}
