import {
  appendToTiles,
  encodeHex,
  leafHashes,
  signCheckpoint,
  treeRoot,
  webCryptoSha256Many,
} from "@lapse/proof";
import type { Db, ShardResolver } from "../../db/client.ts";
import { withD1Retry } from "../../db/retry.ts";
import { randomToken } from "../../ids.ts";
import { acquireLease, releaseLease, renewLeaseStatement } from "../expiry/lease.ts";
import { groupBy } from "../group-by.ts";
import { d1Read, type LogReads, readEntryRowsFrom, requireEntry } from "./entries.ts";
import { encodeEntryFast } from "./fast-encode.ts";
import type { ProofKeys } from "./keys.ts";
import { readTree, tileReader, tileUpserts } from "./tree.ts";

/**
 * Sealing (R11): integrating a tenant's new log entries into its Merkle tree and signing a
 * checkpoint of the new tree, for each of its logs (one per shard slot, on that slot's shard). Writers never touch the tree; a sealer reads the entries from the
 * tree's size on, in passes of at most SEAL_BATCH, and writes each pass — the changed tiles, the
 * tree row and the signed checkpoint — in one D1 batch. The tree row's update is guarded by
 * the size it was read at, so a pass that raced another sealer writes nothing; and a lease
 * (`seal:<tenant num>`) keeps two sealers of one tenant from running at once.
 *
 * Triggers (docs/proof.md: the sealing window): the `* * * * *` cron seals every tenant with
 * new entries, the nightly run seals at its end, and the proof endpoints seal their tenant
 * first. New entries are so in a signed checkpoint within about 60 s of being written.
 */

/** Entries integrated per pass (one read, one D1 batch, one checkpoint); a page of entries
 * read as one JSON value stays below D1's 2 MB value limit. */
export const SEAL_BATCH = 10_000;
/** A sealer's lease outlives a pass by far; a dead sealer's lease lapses after it. */
export const SEAL_LEASE_MS = 60_000;

export const sealLeaseName = (tenantNum: number) => `seal:${tenantNum}`;

export interface SealTarget {
  /** tenant.num, the data tables' tenant. */
  num: number;
  /** tenant.id, in the checkpoint origin. */
  id: string;
  /** The tenant's slot this log is of, in the checkpoint origin (services/proof/keys.ts). */
  slot: number;
}

/** The databases a sealer works with: the log's data shard, and the control plane. */
export interface SealDbs {
  data: Db;
  /** The control plane, for the consent keys the entries name. */
  db: Db;
}

export interface SealOptions {
  /** The wall clock (leases, `sealed_at`, `signed_at`). */
  clock: () => number;
  /** Entries per pass; SEAL_BATCH by default. */
  batch?: number;
  /** Stop after this many entries (a request's bounded work); no bound by default. */
  maxEntries?: number;
}

export type SealOutcome =
  /** The tree now integrates every entry there was (`sealed` new ones, maybe 0). */
  | { status: "sealed"; size: number; sealed: number; remaining: false }
  /** Bounded by `maxEntries`, or stopped at a hole in the numbering: entries remain. */
  | { status: "sealed"; size: number; sealed: number; remaining: true }
  /** Another sealer holds the tenant's lease, or moved the tree under this one. */
  | { status: "busy"; size: number; sealed: number; remaining: boolean };

/**
 * Seals one tenant's log up to its newest entry (or `maxEntries`). Throws on a missing or bad
 * PROOF_SIGNING_KEY (before touching anything) and on an entry that cannot be rebuilt.
 */
export async function sealTenant(
  dbs: SealDbs,
  keys: ProofKeys,
  tenant: SealTarget,
  options: SealOptions,
): Promise<SealOutcome> {
  const signer = await keys.signer();
  const origin = keys.origin(tenant.id, tenant.slot);
  const db = dbs.data;
  const read = d1Read(db.$client);
  const reads: LogReads = { data: read, control: d1Read(dbs.db.$client) };
  const batchSize = options.batch ?? SEAL_BATCH;
  const lease = { name: sealLeaseName(tenant.num), holder: `seal_${randomToken(16)}` };
  if (!(await acquireLease(db, { ...lease, now: options.clock(), ttlMs: SEAL_LEASE_MS }))) {
    const { size } = await readTree(read, tenant.num);
    return { status: "busy", size, sealed: 0, remaining: true };
  }
  let sealed = 0;
  try {
    for (;;) {
      const tree = await readTree(read, tenant.num);
      const limit = Math.min(batchSize, (options.maxEntries ?? Number.POSITIVE_INFINITY) - sealed);
      if (limit <= 0) {
        return { status: "sealed", size: tree.size, sealed, remaining: true };
      }
      const rows = await readEntryRowsFrom(reads, tenant.num, tree.size, limit);
      // Entries are numbered densely; a hole means an entry was deleted before it was sealed
      // (or a writer is broken). Seal up to it, never over it, and say so loudly.
      let dense = 0;
      while (dense < rows.length && rows[dense]?.idx === tree.size + dense) {
        dense++;
      }
      if (dense < rows.length) {
        console.error(
          `Sealing tenant ${tenant.id}: log entry ${tree.size + dense} is missing (the next is ${rows[dense]?.idx}); sealing stops before it.`,
        );
      }
      if (dense === 0) {
        if (sealed === 0 && tree.root !== null) {
          const head = { size: tree.size, root: tree.root };
          await signUnsignedTree(db, tenant.num, head, origin, signer, options.clock());
        }
        return { status: "sealed", size: tree.size, sealed, remaining: rows.length > 0 };
      }
      // Hashed with WebCrypto, every digest of a step at once: in workerd that is about a
      // tenth of the CPU of the JavaScript SHA-256 (BENCHMARKS.md).
      const leaves = await leafHashes(
        rows.slice(0, dense).map((row) => encodeEntryFast(requireEntry(row))),
        webCryptoSha256Many,
      );
      const appended = await appendToTiles(tree.size, leaves, tileReader(read, tenant.num), {
        sha256Many: webCryptoSha256Many,
      });
      const root = await treeRoot(appended.treeSize, tileReader(read, tenant.num, appended.tiles));
      const note = await signCheckpoint({ origin, size: appended.treeSize, root }, signer);
      const now = options.clock();
      const d1 = db.$client;
      const guard = { size: appended.treeSize, root };
      const results = await withD1Retry(() =>
        d1.batch([
          d1
            .prepare(
              `INSERT INTO log_tree (tenant, size, root, sealed_at) VALUES (?1, ?2, unhex(?3), ?4)
               ON CONFLICT (tenant) DO UPDATE SET
                 size = excluded.size, root = excluded.root, sealed_at = excluded.sealed_at
               WHERE log_tree.size = ?5`,
            )
            .bind(tenant.num, appended.treeSize, encodeHex(root), now, tree.size),
          ...tileUpserts(d1, tenant.num, appended.tiles, guard),
          d1
            .prepare(
              `INSERT INTO checkpoint (tenant, size, note, signed_at)
               SELECT ?1, ?2, ?3, ?4
               WHERE (SELECT size = ?2 AND root = unhex(?5) FROM log_tree WHERE tenant = ?1)
               ON CONFLICT (tenant, size) DO NOTHING`,
            )
            .bind(tenant.num, appended.treeSize, note, now, encodeHex(root)),
          renewLeaseStatement(db, { ...lease, now, ttlMs: SEAL_LEASE_MS }),
        ]),
      );
      if (results[0]?.meta.changes !== 1) {
        // Another sealer moved the tree since it was read: nothing of this pass was written.
        return { status: "busy", size: tree.size, sealed, remaining: true };
      }
      sealed += dense;
      if (dense < rows.length || rows.length < limit) {
        return {
          status: "sealed",
          size: appended.treeSize,
          sealed,
          remaining: dense < rows.length,
        };
      }
    }
  } finally {
    await releaseLease(db, lease);
  }
}

/**
 * Signs a checkpoint of the tree as it stands when none was signed at its size: the first
 * checkpoint of a log forked by `tenant:reshard`, whose tree was copied with no checkpoint of
 * its own origin. Guarded like a pass: written only while the tree row still has that size
 * and root.
 */
async function signUnsignedTree(
  db: Db,
  tenantNum: number,
  tree: { size: number; root: Uint8Array },
  origin: string,
  signer: Parameters<typeof signCheckpoint>[1],
  now: number,
): Promise<void> {
  const d1 = db.$client;
  const signed = await d1
    .prepare("SELECT 1 FROM checkpoint WHERE tenant = ?1 AND size = ?2")
    .bind(tenantNum, tree.size)
    .first();
  if (signed !== null) {
    return;
  }
  const note = await signCheckpoint({ origin, size: tree.size, root: tree.root }, signer);
  await withD1Retry(() =>
    d1
      .prepare(
        `INSERT INTO checkpoint (tenant, size, note, signed_at)
         SELECT ?1, ?2, ?3, ?4
         WHERE (SELECT size = ?2 AND root = unhex(?5) FROM log_tree WHERE tenant = ?1)
         ON CONFLICT (tenant, size) DO NOTHING`,
      )
      .bind(tenantNum, tree.size, note, now, encodeHex(tree.root))
      .run(),
  );
}

/** A tenant's log on one shard: the seal target and where it lives. */
export interface PlacedLog extends SealTarget {
  /** The shard's binding name. */
  binding: string;
}

/** The logs (tenant, slot) the shard map places, all tenants' or only `tenantId`'s. */
export async function placedLogs(control: Db, tenantId?: string): Promise<PlacedLog[]> {
  const { results } = await withD1Retry(() =>
    control.$client
      .prepare(
        `SELECT t.num, t.id, ts.slot, s.binding FROM tenant_shard AS ts
         JOIN tenant AS t ON t.id = ts.tenant_id JOIN shard AS s ON s.num = ts.shard
         WHERE ?1 IS NULL OR ts.tenant_id = ?1 ORDER BY s.num, t.num`,
      )
      .bind(tenantId ?? null)
      .all<PlacedLog>(),
  );
  return results;
}

/**
 * Those of `logs` (all on `data`) holding entries their tree does not integrate yet, or a tree
 * with no checkpoint at its size.
 */
export async function logsToSeal<T extends SealTarget>(data: Db, logs: readonly T[]): Promise<T[]> {
  if (logs.length === 0) {
    return [];
  }
  const { results } = await withD1Retry(() =>
    data.$client
      .prepare(
        `SELECT j.key AS i FROM json_each(?1) AS j
         WHERE EXISTS (SELECT 1 FROM entry AS e WHERE e.tenant = j.value
           AND e.idx >= coalesce((SELECT size FROM log_tree WHERE tenant = j.value), 0))
         -- A forked log's copied tree, not signed under its own origin yet.
         OR EXISTS (SELECT 1 FROM log_tree AS t WHERE t.tenant = j.value AND t.size > 0
           AND NOT EXISTS (SELECT 1 FROM checkpoint AS c WHERE c.tenant = t.tenant AND c.size = t.size))`,
      )
      .bind(JSON.stringify(logs.map((l) => l.num)))
      .all<{ i: number }>(),
  );
  return results.flatMap(({ i }) => logs[i] ?? []);
}

export interface SealPass {
  tenants: number;
  sealed: number;
  busy: number;
  failed: { tenantId: string; error: string }[];
}

/**
 * Seals every log with new entries (the minute cron, the end of the nightly run), or only
 * `tenantId`'s: the shards at once, the logs of one shard one after another. A log that fails
 * is reported and the others still sealed; throws at the end when one failed, so the
 * invocation shows as failed.
 */
export async function sealAll(
  control: Db,
  shard: ShardResolver,
  keys: ProofKeys,
  options: SealOptions & { tenantId?: string | undefined },
): Promise<SealPass> {
  await keys.signer(); // A missing key fails the pass at once, naming the secret.
  const pass: SealPass = { tenants: 0, sealed: 0, busy: 0, failed: [] };
  const byShard = groupBy(await placedLogs(control, options.tenantId), (l) => l.binding);
  await Promise.all(
    [...byShard].map(async ([binding, logs]) => {
      let data: Db;
      let due: PlacedLog[];
      try {
        data = shard(binding);
        due = await logsToSeal(data, logs);
      } catch (error) {
        for (const log of logs) {
          pass.failed.push({ tenantId: log.id, error: (error as Error).message });
        }
        return;
      }
      for (const log of due) {
        pass.tenants += 1;
        try {
          const outcome = await sealTenant({ data, db: control }, keys, log, options);
          pass.sealed += outcome.sealed;
          pass.busy += outcome.status === "busy" ? 1 : 0;
        } catch (error) {
          pass.failed.push({ tenantId: log.id, error: (error as Error).message });
        }
      }
    }),
  );
  if (pass.failed.length > 0) {
    throw new Error(
      `Sealing failed for ${pass.failed.length} log(s): ${pass.failed
        .map((f) => `${f.tenantId}: ${f.error}`)
        .join("; ")}`,
    );
  }
  return pass;
}

/** How long an on-demand seal waits for another sealer of the tenant before answering. */
const ON_DEMAND_WAIT_MS = 10_000;
/** An on-demand seal (a request) integrates at most this many entries. */
export const ON_DEMAND_MAX_ENTRIES = 200_000;

/**
 * Seals a tenant before a proof endpoint answers, so the answer covers every write made before
 * the call. When another sealer holds the lease (the cron), waits for it and seals again.
 */
export async function sealBeforeReading(
  dbs: SealDbs,
  keys: ProofKeys,
  tenant: SealTarget,
  clock: () => number,
): Promise<SealOutcome> {
  const deadline = clock() + ON_DEMAND_WAIT_MS;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const outcome = await sealTenant(dbs, keys, tenant, {
      clock,
      maxEntries: ON_DEMAND_MAX_ENTRIES,
    });
    if (outcome.status !== "busy" || clock() + wait > deadline) {
      return outcome;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
