import { dayOf } from "@lapse/consent";
import { withD1Retry } from "../../db/retry.ts";
import { withChainRetry } from "../history/append.ts";
import { link } from "../history/chain.ts";
import { acquireLease, releaseLease, renewLeaseStatement } from "./lease.ts";
import type { RunContext } from "./runtime.ts";

/** One (tenant, consent) of one run: everything the chunks need, read once. */
export interface ConsentWork {
  runId: string;
  tenantId: string;
  consentId: string;
  consentKey: string;
  consentVersion: number;
  days: number;
  /** T: the cron's scheduledTime (R10), never the wall clock. */
  scheduledAt: number;
}

export interface ChunkResult {
  expired: number;
  /** False when this chunk took every due state that was left. */
  more: boolean;
  rowsRead: number;
  rowsWritten: number;
  /** False when the lease was lost: nothing was written and the caller must stop. */
  held: boolean;
}

/**
 * A chunk's list travels as one JSON value, and D1 refuses a value over 2 MB. 5,000 ordinary
 * profile ids take under 1 MB, but ids made of control characters (6 bytes each once escaped)
 * could pass the limit, so a chunk writes the longest prefix of its due states that fits this
 * budget; the rest is still due and the next chunk takes it.
 */
export const CHUNK_JSON_BUDGET_BYTES = 1_500_000;
/** Bytes of an entry besides its escaped profile id: two 64-digit hashes, keys, punctuation. */
const ENTRY_OVERHEAD_BYTES = 160;
const utf8 = new TextEncoder();

/** The longest prefix of `profileIds` whose chunk list fits `CHUNK_JSON_BUDGET_BYTES`. */
export function fittingPrefix(profileIds: readonly string[]): number {
  let bytes = 2;
  for (let i = 0; i < profileIds.length; i++) {
    bytes += utf8.encode(JSON.stringify(profileIds[i])).byteLength + ENTRY_OVERHEAD_BYTES;
    if (bytes > CHUNK_JSON_BUDGET_BYTES) {
      return i;
    }
  }
  return profileIds.length;
}

export function consentLeaseName(consentId: string): string {
  return `consent:${consentId}`;
}

/**
 * One chunk (R10): read up to `chunkSize` due states through the partial index, in a total order
 * (last-activity day, profile id), with their profiles' chain heads; link their `expired`
 * history entries (R11); then one batch renews the lease, flips the states that are still
 * accepted and due to `unknown`, and appends the history of exactly those (the database moves
 * the chain heads).
 * Every write checks the lease holder (fencing): a runner that lost its lease writes nothing.
 * A crash between chunks loses and duplicates nothing: the next chunk starts from the states
 * still accepted. A customer who changes a state between the read and the batch wins: that
 * state is not flipped; a concurrent append to the same chain fails the batch, and the chunk
 * is read again.
 */
export function expireChunk(rc: RunContext, work: ConsentWork): Promise<ChunkResult> {
  return withChainRetry(() => chunkOnce(rc, work));
}

async function chunkOnce(rc: RunContext, work: ConsentWork): Promise<ChunkResult> {
  const now = rc.clock();
  const lease = { name: consentLeaseName(work.consentId), holder: work.runId };
  // R10: due iff max(lastActivity, activationDay) + days <= day(T); the caller checked the
  // activation side, so the index range is last_activity_day <= day(T) - days.
  const throughDay = dayOf(work.scheduledAt) - work.days;
  const db = rc.db.$client;
  const read = await withD1Retry(() =>
    db
      .prepare(
        `SELECT s.profile_id AS profileId, coalesce(h.hash, '') AS head FROM consent_state AS s
         LEFT JOIN history_head AS h ON h.tenant_id = s.tenant_id AND h.profile_id = s.profile_id
         WHERE s.tenant_id = ?1 AND s.consent_id = ?2 AND s.status = 'accepted'
           AND s.last_activity_day <= ?3
         ORDER BY s.last_activity_day, s.profile_id LIMIT ?4`,
      )
      .bind(work.tenantId, work.consentId, throughDay, rc.chunkSize)
      .all<{ profileId: string; head: string }>(),
  );
  const fits = fittingPrefix(read.results.map((d) => d.profileId));
  const due = read.results.slice(0, fits);
  const chained = await link(
    work.tenantId,
    new Map(due.map((d) => [d.profileId, d.head])),
    due.map((d) => ({
      profileId: d.profileId,
      consentId: work.consentId,
      consentKey: work.consentKey,
      consentVersion: work.consentVersion,
      from: "accepted",
      to: "unknown",
      reason: "expired",
      actor: `cron:${work.runId}`,
      occurredAt: work.scheduledAt,
      recordedAt: now,
    })),
  );
  const rows = JSON.stringify(
    chained.linked.map((l) => ({ p: l.entry.profileId, ph: l.prevHash, h: l.hash })),
  );
  const guard = `EXISTS (SELECT 1 FROM expiry_lease WHERE name = ?1 AND holder = ?2 AND expires_at > ?3)`;
  const params = [lease.name, lease.holder, now, work.tenantId, work.consentId, throughDay, rows];
  const results = await withD1Retry(() =>
    db.batch([
      renewLeaseStatement(rc.db, { ...lease, now, ttlMs: rc.leaseMs }),
      // Flip the states still accepted and due; T marks the ones this chunk flipped.
      db
        .prepare(
          // The list drives the primary-key lookups; the unary `+` keeps SQLite from scanning
          // the whole due range of the partial index instead (it did, on every chunk).
          `UPDATE consent_state SET status = 'unknown', status_changed_at = ?8, expired_at = ?8
           WHERE (tenant_id, profile_id, consent_id) IN
               (SELECT ?4, value ->> '$.p', ?5 FROM json_each(?7))
             AND +status = 'accepted' AND +last_activity_day <= ?6 AND ${guard}`,
        )
        .bind(...params, work.scheduledAt),
      // The history of exactly the states flipped above.
      db
        .prepare(
          `INSERT INTO consent_history (tenant_id, profile_id, consent_id, consent_key,
             consent_version, from_status, to_status, reason, actor, occurred_at, recorded_at,
             prev_hash, hash)
           SELECT ?4, j.value ->> '$.p', ?5, ?8, ?9, 'accepted', 'unknown', 'expired', ?10, ?11, ?3,
             j.value ->> '$.ph', j.value ->> '$.h'
           FROM json_each(?7) AS j
           WHERE ${guard} AND EXISTS (SELECT 1 FROM consent_state AS s
             WHERE s.tenant_id = ?4 AND s.consent_id = ?5 AND s.profile_id = j.value ->> '$.p'
               AND s.status = 'unknown' AND s.expired_at = ?11 AND s.status_changed_at = ?11)
           ORDER BY j.key`,
        )
        .bind(
          ...params,
          work.consentKey,
          work.consentVersion,
          `cron:${work.runId}`,
          work.scheduledAt,
        ),
    ]),
  );
  const [renewed, flipped] = results;
  return {
    held: (renewed?.meta.changes ?? 0) === 1,
    expired: flipped?.meta.changes ?? 0,
    more: fits < read.results.length || read.results.length === rc.chunkSize,
    rowsRead: [read, ...results].reduce((sum, r) => sum + (r.meta.rows_read ?? 0), 0),
    rowsWritten: results.reduce((sum, r) => sum + (r.meta.rows_written ?? 0), 0),
  };
}

export interface ConsentProgress {
  expired: number;
  chunks: number;
  rowsRead: number;
  rowsWritten: number;
  durationMs: number;
  /** `done`: nothing due is left; `budget`: time ran out (continue later); `busy`: another runner holds the consent. */
  outcome: "done" | "budget" | "busy";
}

/**
 * Expires every due state of one consent, chunk after chunk, until none is left or the time
 * budget (`deadline`, wall clock) is reached. Takes and releases the consent's lease.
 */
export async function expireConsent(
  rc: RunContext,
  work: ConsentWork,
  options: { deadline?: number } = {},
): Promise<ConsentProgress> {
  const started = rc.clock();
  const lease = { name: consentLeaseName(work.consentId), holder: work.runId };
  const progress: ConsentProgress = {
    expired: 0,
    chunks: 0,
    rowsRead: 0,
    rowsWritten: 0,
    durationMs: 0,
    outcome: "done",
  };
  if (!(await acquireLease(rc.db, { ...lease, now: started, ttlMs: rc.leaseMs }))) {
    return { ...progress, outcome: "busy" };
  }
  try {
    for (;;) {
      const chunk = await expireChunk(rc, work);
      progress.chunks += 1;
      progress.expired += chunk.expired;
      progress.rowsRead += chunk.rowsRead;
      progress.rowsWritten += chunk.rowsWritten;
      if (!chunk.held) {
        throw new Error(`Lost the lease on ${lease.name} during run ${work.runId}.`);
      }
      if (!chunk.more) {
        break;
      }
      if (options.deadline !== undefined && rc.clock() >= options.deadline) {
        progress.outcome = "budget";
        break;
      }
    }
  } finally {
    progress.durationMs = rc.clock() - started;
    await releaseLease(rc.db, lease);
  }
  return progress;
}
