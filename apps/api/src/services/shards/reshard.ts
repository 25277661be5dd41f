// `tenant:reshard` (docs/scaling.md): spreads a tenant from S data shards over S' (a larger power
// of two). A profile's slot is hash & (slots − 1), so a profile of slot k moves to a slot n with
// n & (S − 1) = k: each new slot is split off one old slot.
//
// Logs are never rewritten (R11). The new slot's shard gets a verbatim copy of the old slot's
// log (entries, tiles, tree; its actors by name), so every profile's whole history is in its
// current slot's log, every checkpoint signed before stays consistent with the old log, and
// the new log's first N entries are the old log's N (`tenant_shard.log_from = N`; its first
// checkpoint is signed by the sealer under the new slot's origin). Moved profiles keep their
// integer keys, which their entries commit to.
//
// The SQL takes text parameters only (cast in SQL, blobs as hex), so the Worker tests and the
// Node CLI (whose remote D1 API binds strings) run the same statements.
import { auditLog, type LogAudit } from "../proof/audit.ts";
import type { SqlRead } from "../proof/entries.ts";
import { shardCountProblem } from "../tenants/provision.ts";
import { slotOf } from "./route.ts";

/** A statement with text parameters. */
export interface SqlStatement {
  sql: string;
  params: readonly string[];
}

/** A D1 database as the CLI (local file or REST API) and the tests (a binding) reach it. */
export interface SqlDb {
  all<T>(statement: SqlStatement): Promise<T[]>;
  /** One transaction. */
  batch(statements: readonly SqlStatement[]): Promise<void>;
}

export interface ReshardOptions {
  control: SqlDb;
  /** The data shard of a binding (SHARD_<n>). */
  shard(binding: string): SqlDb;
  tenantId: string;
  /** The new number of slots: a power of two, at least the current one. */
  shards: number;
  /** The checkpoint origin of a log (ProofKeys.origin). */
  origin(tenantId: string, slot: number): string;
  /** The verifier keys the logs are checked with. */
  verifierKeys: readonly string[];
  /** How long writes that read the credential before the pause may go on (ms). */
  settleMs: number;
  /** How long to wait for the sealer to seal every old log (ms). */
  sealWaitMs: number;
  /** SHA-256 for the audits (the CLI passes node:crypto's). */
  sha256?: (bytes: Uint8Array) => Uint8Array;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** One line of progress. */
  log?: (line: string) => void;
}

export interface ReshardSlot {
  slot: number;
  /** The slot it was split from. */
  from: number;
  binding: string;
  /** Entries of the forked log (its `log_from`). */
  logFrom: number;
  profiles: number;
  states: number;
  rootHash: string;
}

export interface ReshardResult {
  tenantId: string;
  before: number;
  after: number;
  /** The slots added, empty when the rerun only finished a reshard that had switched. */
  added: ReshardSlot[];
  /** Profiles (with their states) deleted from their old shards after the switch. */
  cleaned: number;
}

/** A refusal or a failed check: nothing was switched (the message says what to do). */
export class ReshardError extends Error {
  override name = "ReshardError";
}

interface Placed {
  slot: number;
  shard: number;
  binding: string;
  logFrom: number;
}

interface Tenant {
  id: string;
  num: number;
  jurisdiction: string | null;
  resharding: number | null;
}

/** Rows per copied page: entries and profiles are ~100–200 bytes of JSON each. */
const PAGE = 500;
/** Tiles per copied page: a full tile is 16 KiB of hex, so a page stays near 1 MiB. */
const TILE_PAGE = 48;
/** The size of a shard's range of profile keys (migrations/data/0001_profile_key_range.sql). */
const KEY_RANGE = 2 ** 32;
/** How often the seal wait looks again. */
const SEAL_POLL_MS = 2000;

const text = (value: number | string) => String(value);

export async function reshardTenant(options: ReshardOptions): Promise<ReshardResult> {
  const { control } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));

  const [tenant] = await control.all<Tenant>({
    sql: `SELECT id, num, jurisdiction, resharding_since AS resharding FROM tenant WHERE id = ?1`,
    params: [options.tenantId],
  });
  if (!tenant) {
    throw new ReshardError(`No tenant ${options.tenantId}.`);
  }
  const problem = shardCountProblem(options.shards);
  if (problem) {
    throw new ReshardError(`--shards ${options.shards}: ${problem}.`);
  }
  const placed = await placedSlots(control, tenant.id);
  const before = placed.length;
  if (options.shards < before) {
    throw new ReshardError(
      `${tenant.id} spans ${before} shards: a reshard only grows (to ${before * 2}, ${before * 4}, …); shrinking is not supported.`,
    );
  }
  if (options.shards === before) {
    if (tenant.resharding === null) {
      throw new ReshardError(`${tenant.id} already spans ${before} shard(s): nothing to do.`);
    }
    // A reshard that switched the map and stopped before its cleanup: finish it.
    log(`${tenant.id} is paused on ${before} shards: finishing the reshard that switched.`);
    const cleaned = await cleanUp(options, tenant, placed, log);
    await unpause(control, tenant.id);
    log(`Writes of ${tenant.id} are open again.`);
    return { tenantId: tenant.id, before, after: before, added: [], cleaned };
  }

  // 1. Pause the tenant's writes, and let those that read the credential before it finish.
  if (tenant.resharding === null) {
    await control.batch([
      {
        sql: `UPDATE tenant SET resharding_since = CAST(?2 AS INTEGER) WHERE id = ?1`,
        params: [tenant.id, text(now())],
      },
    ]);
    log(
      `Paused the writes of ${tenant.id} (they answer 503 with Retry-After); waiting ${Math.round(options.settleMs / 1000)} s for calls in flight…`,
    );
    await sleep(options.settleMs);
  } else {
    log(`${tenant.id} is already paused (an earlier reshard stopped before its switch): going on.`);
  }

  const targets: Target[] = [];
  try {
    // 2. Every old log sealed and sound: the copies are checked against their roots.
    const sources = new Map<number, Source>();
    for (const slot of placed) {
      sources.set(slot.slot, await sealedSource(options, tenant, slot, sleep, now, log));
    }

    // 3. The new slots: their profiles, and a shard for each that can take them.
    const split = await splitProfiles(options, tenant, placed, log);
    targets.push(...(await chooseTargets(options, tenant, placed, split, sources)));

    // 4. Copy and check each new slot.
    for (const target of targets) {
      await copySlot(options, tenant, target, log);
      await checkSlot(options, tenant, target, log);
    }
  } catch (error) {
    await abandon(options, tenant, targets, log);
    await unpause(control, tenant.id);
    const message = error instanceof Error ? error.message : String(error);
    throw new ReshardError(
      `${message}\nNothing was switched: ${tenant.id} stays on ${before} shard(s), and its writes are open again.`,
    );
  }

  // 5. Switch the map: from here reads and writes route over the new slots.
  await control.batch(
    targets.map((t) => ({
      sql: `INSERT INTO tenant_shard (tenant_id, slot, shard, log_from)
        VALUES (?1, CAST(?2 AS INTEGER), CAST(?3 AS INTEGER), CAST(?4 AS INTEGER))`,
      params: [tenant.id, text(t.slot), text(t.shard), text(t.source.size)],
    })),
  );
  log(`Switched the shard map: ${tenant.id} spans ${options.shards} shards.`);

  // 6. The moved profiles leave their old shards; then writes open again.
  const cleaned = await cleanUp(options, tenant, await placedSlots(control, tenant.id), log);
  await unpause(control, tenant.id);
  log(`Writes of ${tenant.id} are open again.`);
  return {
    tenantId: tenant.id,
    before,
    after: options.shards,
    added: targets.map((t) => ({
      slot: t.slot,
      from: t.from,
      binding: t.binding,
      logFrom: t.source.size,
      profiles: t.keys.length,
      states: t.states,
      rootHash: t.source.audit.rootHash,
    })),
    cleaned,
  };
}

async function placedSlots(control: SqlDb, tenantId: string): Promise<Placed[]> {
  return control.all<Placed>({
    sql: `SELECT ts.slot, ts.shard, s.binding, ts.log_from AS logFrom FROM tenant_shard AS ts
      JOIN shard AS s ON s.num = ts.shard WHERE ts.tenant_id = ?1 ORDER BY ts.slot`,
    params: [tenantId],
  });
}

async function unpause(control: SqlDb, tenantId: string): Promise<void> {
  await control.batch([
    { sql: "UPDATE tenant SET resharding_since = NULL WHERE id = ?1", params: [tenantId] },
  ]);
}

function readOf(db: SqlDb): SqlRead {
  return <T>(sql: string, params: readonly string[]) => db.all<T>({ sql, params });
}

interface Source {
  slot: Placed;
  /** Entries in the log, all sealed. */
  size: number;
  audit: LogAudit;
  /** The newest checkpoint of the log: the forked log's tree must be consistent with it. */
  checkpoint: string;
  /** The largest profile key the log names: the new shard allocates above it. */
  maxKey: number;
}

/** The log's entries, tree size and checkpoint at that size, as the sealer left them. */
async function logHead(db: SqlDb, tenantNum: number) {
  const [head] = await db.all<{ entries: number; size: number; checkpoint: string | null }>({
    sql: `SELECT coalesce((SELECT max(idx) + 1 FROM entry WHERE tenant = CAST(?1 AS INTEGER)), 0) AS entries,
        coalesce((SELECT size FROM log_tree WHERE tenant = CAST(?1 AS INTEGER)), 0) AS size,
        (SELECT c.note FROM checkpoint AS c JOIN log_tree AS t ON t.tenant = c.tenant AND t.size = c.size
          WHERE c.tenant = CAST(?1 AS INTEGER)) AS checkpoint`,
    params: [text(tenantNum)],
  });
  return head ?? { entries: 0, size: 0, checkpoint: null };
}

/** Waits until the sealer has sealed every entry of the slot's log, then audits it. */
async function sealedSource(
  options: ReshardOptions,
  tenant: Tenant,
  slot: Placed,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
  log: (line: string) => void,
): Promise<Source> {
  const db = options.shard(slot.binding);
  const deadline = now() + options.sealWaitMs;
  let head = await logHead(db, tenant.num);
  while (head.entries > 0 && (head.size !== head.entries || head.checkpoint === null)) {
    if (now() >= deadline) {
      throw new ReshardError(
        `The log of slot ${slot.slot} (${slot.binding}) has ${head.entries} entries, ${head.size} sealed${head.checkpoint === null ? " with no checkpoint at that size" : ""}, after ${Math.round(options.sealWaitMs / 1000)} s: the sealer (a cron every minute) has not caught up. Seal it (admin.proof.checkpoint seals on demand) and run again.`,
      );
    }
    log(
      `Waiting for the sealer: slot ${slot.slot} has ${head.size} of ${head.entries} entries sealed…`,
    );
    await sleep(SEAL_POLL_MS);
    head = await logHead(db, tenant.num);
  }
  log(`Auditing the log of slot ${slot.slot} (${slot.binding}, ${head.entries} entries)…`);
  const audit = await auditLog({ data: readOf(db), control: readOf(options.control) }, tenant.num, {
    origin: options.origin(tenant.id, slot.slot),
    verifierKeys: options.verifierKeys,
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
  });
  if (!audit.ok || audit.unsealed > 0) {
    const first = audit.problems[0];
    throw new ReshardError(
      `The log of slot ${slot.slot} (${slot.binding}) does not audit clean (${audit.problems.length} problem(s)${first ? `, first: ${first.kind}: ${first.message}` : ""}): run history:verify, and reshard a sound log only.`,
    );
  }
  const [max] = await db.all<{ key: number | null }>({
    sql: "SELECT max(profile) AS key FROM entry WHERE tenant = CAST(?1 AS INTEGER)",
    params: [text(tenant.num)],
  });
  return {
    slot,
    size: head.entries,
    audit,
    checkpoint: head.checkpoint ?? "",
    maxKey: max?.key ?? 0,
  };
}

/** The profile keys of each new slot, by slot (read from the old slot it is split from). */
async function splitProfiles(
  options: ReshardOptions,
  tenant: Tenant,
  placed: readonly Placed[],
  log: (line: string) => void,
): Promise<Map<number, number[]>> {
  const split = new Map<number, number[]>();
  for (let slot = placed.length; slot < options.shards; slot++) {
    split.set(slot, []);
  }
  for (const from of placed) {
    const db = options.shard(from.binding);
    let after = 0;
    let read = 0;
    for (;;) {
      const page = await db.all<{ id: number; externalId: string }>({
        sql: `SELECT id, external_id AS externalId FROM profile
          WHERE tenant = CAST(?1 AS INTEGER) AND id > CAST(?2 AS INTEGER) ORDER BY id LIMIT ${PAGE}`,
        params: [text(tenant.num), text(after)],
      });
      for (const p of page) {
        const slot = slotOf(tenant.id, p.externalId, options.shards);
        if (slot !== from.slot) {
          split.get(slot)?.push(p.id);
        }
      }
      read += page.length;
      if (page.length < PAGE) {
        break;
      }
      after = page[page.length - 1]?.id ?? after;
    }
    log(`Slot ${from.slot} (${from.binding}): ${read} profiles read.`);
  }
  return split;
}

interface Target {
  slot: number;
  from: number;
  shard: number;
  binding: string;
  source: Source;
  /** The profile keys it takes, in key order. */
  keys: number[];
  /** States copied. */
  states: number;
}

/**
 * A shard for each new slot: of the tenant's jurisdiction, not holding one of its slots, where
 * none of the slot's profile keys is taken by another tenant. Least filled first, as placement
 * orders them; a shard holding the tenant's rows of an abandoned attempt first of all.
 */
async function chooseTargets(
  options: ReshardOptions,
  tenant: Tenant,
  placed: readonly Placed[],
  split: ReadonlyMap<number, number[]>,
  sources: ReadonlyMap<number, Source>,
): Promise<Target[]> {
  const candidates = await options.control.all<{ num: number; binding: string }>({
    sql: `SELECT s.num, s.binding FROM shard AS s
      WHERE s.jurisdiction IS (?2 ->> '$.j')
        AND s.num NOT IN (SELECT shard FROM tenant_shard WHERE tenant_id = ?1)
      ORDER BY s.bytes, (SELECT count(*) FROM tenant_shard WHERE shard = s.num), s.num`,
    params: [tenant.id, JSON.stringify({ j: tenant.jurisdiction })],
  });
  const leftovers = new Set<number>();
  for (const c of candidates) {
    const [row] = await options.shard(c.binding).all<{ left: number }>({
      sql: "SELECT EXISTS (SELECT 1 FROM entry WHERE tenant = CAST(?1 AS INTEGER)) AS left",
      params: [text(tenant.num)],
    });
    if (row?.left) {
      leftovers.add(c.num);
    }
  }
  const ordered = [
    ...candidates.filter((c) => leftovers.has(c.num)),
    ...candidates.filter((c) => !leftovers.has(c.num)),
  ];
  const used = new Set<number>();
  const targets: Target[] = [];
  for (const [slot, keys] of split) {
    const from = slot & (placed.length - 1);
    const source = sources.get(from) as Source;
    let chosen: { num: number; binding: string } | undefined;
    for (const c of ordered) {
      if (used.has(c.num)) {
        continue;
      }
      if (!(await keysTaken(options.shard(c.binding), tenant.num, keys))) {
        chosen = c;
        break;
      }
    }
    if (!chosen) {
      const where = tenant.jurisdiction ? ` in jurisdiction ${tenant.jurisdiction}` : "";
      const free = ordered.filter((c) => !used.has(c.num)).length;
      throw new ReshardError(
        `No data shard${where} can take slot ${slot}: ${
          free === 0
            ? `${options.shards} slots need ${options.shards - placed.length} shards${where} besides the ${placed.length} the tenant is on, and the shard map has ${candidates.length}`
            : `on each of the ${free} left, another tenant's profile holds one of the keys to move`
        }. Add one with \`pnpm shards:add --name …\` and run again.`,
      );
    }
    used.add(chosen.num);
    targets.push({
      slot,
      from,
      shard: chosen.num,
      binding: chosen.binding,
      source,
      keys,
      states: 0,
    });
  }
  return targets;
}

/** Whether another tenant's profile holds one of these keys on the shard. */
async function keysTaken(db: SqlDb, tenantNum: number, keys: readonly number[]): Promise<boolean> {
  for (let i = 0; i < keys.length; i += PAGE) {
    const [row] = await db.all<{ taken: number }>({
      sql: `SELECT EXISTS (SELECT 1 FROM profile WHERE tenant <> CAST(?1 AS INTEGER)
        AND id IN (SELECT value FROM json_each(?2))) AS taken`,
      params: [text(tenantNum), JSON.stringify(keys.slice(i, i + PAGE))],
    });
    if (row?.taken) {
      return true;
    }
  }
  return false;
}

/** The tenant's rows a failed attempt may have left on a shard it is not placed on. */
function deleteLeftovers(tenantNum: number): SqlStatement[] {
  const params = [text(tenantNum)];
  return [
    {
      sql: `DELETE FROM state WHERE profile IN (SELECT id FROM profile WHERE tenant = CAST(?1 AS INTEGER))`,
      params,
    },
    { sql: "DELETE FROM profile WHERE tenant = CAST(?1 AS INTEGER)", params },
    { sql: "DELETE FROM erased_profile WHERE tenant = CAST(?1 AS INTEGER)", params },
  ];
}

async function copySlot(
  options: ReshardOptions,
  tenant: Tenant,
  target: Target,
  log: (line: string) => void,
): Promise<void> {
  const from = options.shard(target.source.slot.binding);
  const to = options.shard(target.binding);
  const num = text(tenant.num);
  log(
    `Slot ${target.slot} → ${target.binding}: copying the log of slot ${target.from} (${target.source.size} entries) and ${target.keys.length} profiles…`,
  );
  await to.batch(deleteLeftovers(tenant.num));

  // Actors by name: the entries name them by this shard's ids.
  const actors = await from.all<{ id: number; name: string }>({
    sql: "SELECT id, name FROM actor WHERE tenant = CAST(?1 AS INTEGER)",
    params: [num],
  });
  const names = JSON.stringify(actors.map((a) => a.name));
  await to.batch([
    {
      sql: `INSERT INTO actor (tenant, name) SELECT CAST(?1 AS INTEGER), value FROM json_each(?2)
        WHERE true ON CONFLICT (tenant, name) DO NOTHING`,
      params: [num, names],
    },
  ]);
  const there = await to.all<{ id: number; name: string }>({
    sql: "SELECT id, name FROM actor WHERE tenant = CAST(?1 AS INTEGER)",
    params: [num],
  });
  const byName = new Map(there.map((a) => [a.name, a.id]));
  const actorOf = new Map(actors.map((a) => [a.id, byName.get(a.name) ?? null]));

  // The entries, verbatim but for the actor ids (an append-only table: what a failed attempt
  // left is the same rows, kept).
  for (let first = 0; first < target.source.size; first += PAGE) {
    const [row] = await from.all<{ page: string }>({
      sql: `SELECT json_group_array(json_array(idx, kind, profile, consent, version, from_status,
          to_status, reason, actor, occurred_at, recorded_at,
          CASE WHEN data IS NULL THEN NULL ELSE hex(data) END)) AS page
        FROM (SELECT * FROM entry WHERE tenant = CAST(?1 AS INTEGER)
          AND idx >= CAST(?2 AS INTEGER) AND idx < CAST(?3 AS INTEGER) ORDER BY idx)`,
      params: [num, text(first), text(Math.min(first + PAGE, target.source.size))],
    });
    const page = JSON.parse(row?.page ?? "[]") as unknown[][];
    for (const e of page) {
      e[8] = e[8] === null ? null : (actorOf.get(e[8] as number) ?? null);
    }
    await to.batch([
      {
        sql: `INSERT OR IGNORE INTO entry (tenant, idx, kind, profile, consent, version, from_status,
            to_status, reason, actor, occurred_at, recorded_at, data)
          SELECT CAST(?1 AS INTEGER), j.value ->> '$[0]', j.value ->> '$[1]', j.value ->> '$[2]',
            j.value ->> '$[3]', j.value ->> '$[4]', j.value ->> '$[5]', j.value ->> '$[6]',
            j.value ->> '$[7]', j.value ->> '$[8]', j.value ->> '$[9]', j.value ->> '$[10]',
            unhex(j.value ->> '$[11]')
          FROM json_each(?2) AS j`,
        params: [num, JSON.stringify(page)],
      },
    ]);
    if ((first / PAGE) % 100 === 99) {
      log(`  ${first + PAGE} of ${target.source.size} entries…`);
    }
  }

  // The tree's tiles, then its head.
  let after: [number, number] = [-1, -1];
  for (;;) {
    const tiles = await from.all<{ level: number; idx: number; hashes: string }>({
      sql: `SELECT level, idx, hex(hashes) AS hashes FROM tile WHERE tenant = CAST(?1 AS INTEGER)
          AND (level, idx) > (CAST(?2 AS INTEGER), CAST(?3 AS INTEGER))
        ORDER BY level, idx LIMIT ${TILE_PAGE}`,
      params: [num, text(after[0]), text(after[1])],
    });
    if (tiles.length === 0) {
      break;
    }
    await to.batch([
      {
        sql: `INSERT INTO tile (tenant, level, idx, hashes)
          SELECT CAST(?1 AS INTEGER), j.value ->> '$.level', j.value ->> '$.idx', unhex(j.value ->> '$.hashes')
          FROM json_each(?2) AS j
          WHERE true ON CONFLICT (tenant, level, idx) DO UPDATE SET hashes = excluded.hashes`,
        params: [num, JSON.stringify(tiles)],
      },
    ]);
    const last = tiles[tiles.length - 1] as { level: number; idx: number };
    after = [last.level, last.idx];
  }
  const [tree] = await from.all<{ size: number; root: string; sealedAt: number }>({
    sql: `SELECT size, hex(root) AS root, sealed_at AS sealedAt FROM log_tree WHERE tenant = CAST(?1 AS INTEGER)`,
    params: [num],
  });
  if (tree) {
    await to.batch([
      {
        sql: `INSERT INTO log_tree (tenant, size, root, sealed_at)
          VALUES (CAST(?1 AS INTEGER), CAST(?2 AS INTEGER), unhex(?3), CAST(?4 AS INTEGER))
          ON CONFLICT (tenant) DO UPDATE SET size = excluded.size, root = excluded.root,
            sealed_at = excluded.sealed_at`,
        params: [num, text(tree.size), tree.root, text(tree.sealedAt)],
      },
    ]);
  }

  // The erased ids of the old slot: an id erased there routes here now, and stays refused (R13).
  await to.batch([
    {
      sql: `INSERT INTO erased_profile (tenant, id_hmac, erased_at)
        SELECT CAST(?1 AS INTEGER), unhex(j.value ->> '$.h'), j.value ->> '$.at' FROM json_each(?2) AS j
        WHERE true ON CONFLICT DO NOTHING`,
      params: [
        num,
        JSON.stringify(
          await from.all<{ h: string; at: number }>({
            sql: `SELECT hex(id_hmac) AS h, erased_at AS at FROM erased_profile WHERE tenant = CAST(?1 AS INTEGER)`,
            params: [num],
          }),
        ),
      ],
    },
  ]);

  // The profiles and their states, a page per transaction.
  for (let i = 0; i < target.keys.length; i += PAGE) {
    const keys = JSON.stringify(target.keys.slice(i, i + PAGE));
    const [profiles] = await from.all<{ page: string }>({
      sql: `SELECT json_group_array(json_array(id, external_id, hex(salt))) AS page FROM profile
        WHERE tenant = CAST(?1 AS INTEGER) AND id IN (SELECT value FROM json_each(?2))`,
      params: [num, keys],
    });
    const [states] = await from.all<{ page: string; count: number }>({
      sql: `SELECT json_group_array(json_array(profile, consent, status, changed_at, activity_day,
          source, expired_at)) AS page, count(*) AS count
        FROM state WHERE profile IN (SELECT value FROM json_each(?1))`,
      params: [keys],
    });
    target.states += states?.count ?? 0;
    await to.batch([
      {
        sql: `INSERT INTO profile (id, tenant, external_id, salt)
          SELECT j.value ->> '$[0]', CAST(?1 AS INTEGER), j.value ->> '$[1]', unhex(j.value ->> '$[2]')
          FROM json_each(?2) AS j`,
        params: [num, profiles?.page ?? "[]"],
      },
      {
        sql: `INSERT INTO state (profile, consent, status, changed_at, activity_day, source, expired_at)
          SELECT j.value ->> '$[0]', j.value ->> '$[1]', j.value ->> '$[2]', j.value ->> '$[3]',
            j.value ->> '$[4]', j.value ->> '$[5]', j.value ->> '$[6]'
          FROM json_each(?1) AS j`,
        params: [states?.page ?? "[]"],
      },
    ]);
  }

  // New profiles here must get keys above every key the copied log names (a key of a profile
  // that stayed on the old slot must not name a new one in this log), and away from the keys
  // the old shard goes on allocating: when this shard's range is below, it moves to a random
  // range above (AUTOINCREMENT keeps the largest key ever inserted; migrations/data/0001).
  const base =
    (Math.floor(target.source.maxKey / KEY_RANGE) + 1 + Math.floor(Math.random() * 256)) *
    KEY_RANGE;
  await to.batch([
    {
      sql: `INSERT INTO profile (id, tenant, external_id, salt)
        SELECT CAST(?1 AS INTEGER), -1, 'key-range', x'' WHERE NOT EXISTS
          (SELECT 1 FROM profile WHERE id > CAST(?2 AS INTEGER))`,
      params: [text(base), text(target.source.maxKey)],
    },
    { sql: "DELETE FROM profile WHERE tenant = -1", params: [] },
  ]);
}

/**
 * The copy against its source: the forked log audits clean under the old slot's origin (no
 * checkpoint of its own yet; the old slot's newest one consistent with it), with the same
 * root and size, and every profile and state arrived.
 */
async function checkSlot(
  options: ReshardOptions,
  tenant: Tenant,
  target: Target,
  log: (line: string) => void,
): Promise<void> {
  const to = options.shard(target.binding);
  const audit = await auditLog({ data: readOf(to), control: readOf(options.control) }, tenant.num, {
    origin: options.origin(tenant.id, target.from),
    verifierKeys: options.verifierKeys,
    kept: target.source.checkpoint ? [target.source.checkpoint] : [],
    unsigned: true,
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
  });
  const source = target.source.audit;
  const wrong: string[] = [];
  if (!audit.ok) {
    const first = audit.problems[0];
    wrong.push(
      `${audit.problems.length} problem(s)${first ? ` (first: ${first.kind}: ${first.message})` : ""}`,
    );
  }
  if (audit.entries !== source.entries || audit.treeSize !== source.treeSize) {
    wrong.push(
      `${audit.entries} entries and a tree of ${audit.treeSize}, not ${source.entries} and ${source.treeSize}`,
    );
  }
  if (audit.rootHash !== source.rootHash) {
    wrong.push(`root ${audit.rootHash}, not ${source.rootHash}`);
  }
  const [counts] = await to.all<{ profiles: number; states: number }>({
    sql: `SELECT count(*) AS profiles, (SELECT count(*) FROM state WHERE profile IN
        (SELECT id FROM profile WHERE tenant = CAST(?1 AS INTEGER))) AS states
      FROM profile WHERE tenant = CAST(?1 AS INTEGER)`,
    params: [text(tenant.num)],
  });
  if (counts?.profiles !== target.keys.length || counts?.states !== target.states) {
    wrong.push(
      `${counts?.profiles} profiles and ${counts?.states} states, not ${target.keys.length} and ${target.states}`,
    );
  }
  if (wrong.length > 0) {
    throw new ReshardError(
      `The copy of slot ${target.from} on ${target.binding} does not match: ${wrong.join("; ")}.`,
    );
  }
  log(
    `Slot ${target.slot} on ${target.binding}: checked — ${audit.entries} entries, root ${audit.rootHash}, ${counts?.profiles} profiles, ${counts?.states} states.`,
  );
}

/** Undoes a copy that will not be switched to (entries and tiles are append-only: they stay). */
async function abandon(
  options: ReshardOptions,
  tenant: Tenant,
  targets: readonly Target[],
  log: (line: string) => void,
): Promise<void> {
  for (const target of targets) {
    try {
      await options.shard(target.binding).batch(deleteLeftovers(tenant.num));
    } catch (error) {
      log(`Could not clear the copy on ${target.binding}: ${(error as Error).message}`);
    }
  }
}

/**
 * Deletes, on each slot's shard, the tenant's profiles (and states) that route to another slot
 * and are present there: after a switch, the moved profiles' old rows. A profile is deleted only
 * once its copy is in place, so running this again is safe.
 */
async function cleanUp(
  options: ReshardOptions,
  tenant: Tenant,
  placed: readonly Placed[],
  log: (line: string) => void,
): Promise<number> {
  const num = text(tenant.num);
  let cleaned = 0;
  for (const slot of placed) {
    const db = options.shard(slot.binding);
    const away = new Map<number, { id: number; externalId: string }[]>();
    let after = 0;
    for (;;) {
      const page = await db.all<{ id: number; externalId: string }>({
        sql: `SELECT id, external_id AS externalId FROM profile
          WHERE tenant = CAST(?1 AS INTEGER) AND id > CAST(?2 AS INTEGER) ORDER BY id LIMIT ${PAGE}`,
        params: [num, text(after)],
      });
      for (const p of page) {
        const home = slotOf(tenant.id, p.externalId, placed.length);
        if (home !== slot.slot) {
          away.set(home, [...(away.get(home) ?? []), p]);
        }
      }
      if (page.length < PAGE) {
        break;
      }
      after = page[page.length - 1]?.id ?? after;
    }
    for (const [home, profiles] of away) {
      const there = options.shard((placed[home] as Placed).binding);
      for (let i = 0; i < profiles.length; i += PAGE) {
        const keys = profiles.slice(i, i + PAGE).map((p) => p.id);
        const present = await there.all<{ id: number }>({
          sql: `SELECT id FROM profile WHERE tenant = CAST(?1 AS INTEGER)
            AND id IN (SELECT value FROM json_each(?2))`,
          params: [num, JSON.stringify(keys)],
        });
        const gone = JSON.stringify(present.map((p) => p.id));
        await db.batch([
          {
            sql: "DELETE FROM state WHERE profile IN (SELECT value FROM json_each(?1))",
            params: [gone],
          },
          {
            sql: `DELETE FROM profile WHERE tenant = CAST(?1 AS INTEGER)
              AND id IN (SELECT value FROM json_each(?2))`,
            params: [num, gone],
          },
        ]);
        cleaned += present.length;
      }
    }
  }
  log(`Deleted ${cleaned} moved profiles (and their states) from their old shards.`);
  return cleaned;
}
