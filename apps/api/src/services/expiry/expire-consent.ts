import { dayOf } from "@lapse/consent";
import type { Db } from "../context";
import { acquireLease, releaseLease, renewLeaseStatement } from "./lease";
import { withD1Retry } from "./retry";

/** The settings of the nightly machinery; `clock` is the wall clock, for leases and budgets. */
export interface RunContext {
  db: Db;
  clock: () => number;
  chunkSize: number;
  leaseMs: number;
}

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
  rowsRead: number;
  rowsWritten: number;
  /** False when the lease was lost: nothing was written and the caller must stop. */
  held: boolean;
}

export function consentLeaseName(consentId: string): string {
  return `consent:${consentId}`;
}

/**
 * One chunk as one batch (R10): renew the lease, append the history of up to `chunkSize` due
 * states, flip the same states to `unknown`. The due states are read through the partial index
 * in a total order (last-activity day, profile id), so both statements take the same rows; the
 * writes check the lease holder (fencing), so a runner that lost its lease writes nothing. A
 * crash between chunks loses and duplicates nothing: the next chunk starts from the states
 * still accepted.
 */
export async function expireChunk(rc: RunContext, work: ConsentWork): Promise<ChunkResult> {
  const now = rc.clock();
  const lease = { name: consentLeaseName(work.consentId), holder: work.runId };
  // R10: due iff max(lastActivity, activationDay) + days <= day(T); the caller checked the
  // activation side, so the index range is last_activity_day <= day(T) - days.
  const throughDay = dayOf(work.scheduledAt) - work.days;
  const guard = `EXISTS (SELECT 1 FROM expiry_lease WHERE name = ?1 AND holder = ?2 AND expires_at > ?3)`;
  const due = `SELECT profile_id FROM consent_state
      WHERE tenant_id = ?4 AND consent_id = ?5 AND status = 'accepted' AND last_activity_day <= ?6
      ORDER BY last_activity_day, profile_id LIMIT ?7`;
  const params = [
    lease.name,
    lease.holder,
    now,
    work.tenantId,
    work.consentId,
    throughDay,
    rc.chunkSize,
  ];
  const db = rc.db.$client;
  const results = await withD1Retry(() =>
    db.batch([
      renewLeaseStatement(rc.db, { ...lease, now, ttlMs: rc.leaseMs }),
      db
        .prepare(
          `INSERT INTO consent_history (tenant_id, profile_id, consent_id, consent_key,
             consent_version, from_status, to_status, reason, actor, occurred_at, recorded_at)
           SELECT ?4, profile_id, ?5, ?8, ?9, 'accepted', 'unknown', 'expired', ?10, ?11, ?3
           FROM (${due}) WHERE ${guard}`,
        )
        .bind(
          ...params,
          work.consentKey,
          work.consentVersion,
          `cron:${work.runId}`,
          work.scheduledAt,
        ),
      db
        .prepare(
          `UPDATE consent_state SET status = 'unknown', status_changed_at = ?8, expired_at = ?8
           WHERE tenant_id = ?4 AND consent_id = ?5 AND profile_id IN (${due}) AND ${guard}`,
        )
        .bind(...params, work.scheduledAt),
    ]),
  );
  const [renewed, , flipped] = results;
  return {
    held: (renewed?.meta.changes ?? 0) === 1,
    expired: flipped?.meta.changes ?? 0,
    rowsRead: results.reduce((sum, r) => sum + (r.meta.rows_read ?? 0), 0),
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
      if (!chunk.held) throw new Error(`Lost the lease on ${lease.name} during run ${work.runId}.`);
      if (chunk.expired < rc.chunkSize) break;
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
