import { dayOf } from "@lapse/consent";
import { withD1Retry } from "../../db/retry.ts";
import { ensureActors } from "../history/append.ts";
import { acquireLease, releaseLease, renewLeaseStatement } from "./lease.ts";
import type { RunContext } from "./runtime.ts";

/** One (tenant, consent) of one run: everything the chunks need, read once. */
export interface ConsentWork {
  runId: string;
  tenantId: string;
  /** The tenant's number in the data tables. */
  tenantNum: number;
  consentId: string;
  /** The consent's number in the data tables. */
  consentNum: number;
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

export function consentLeaseName(consentId: string): string {
  return `consent:${consentId}`;
}

/** The actor of a run's entries in the log (R11). */
export function runActor(runId: string): string {
  return `cron:${runId}`;
}

/**
 * One chunk (R10): read up to `chunkSize` due states from the partial index alone (profile
 * keys, in the order last-activity day, profile key), then one batch renews the lease, flips
 * the states that are still accepted and due to `unknown`, and appends the `expired` entries
 * of exactly those to the log (R11). The list is integers, so a chunk's JSON stays small.
 * Every write checks the lease holder (fencing): a runner that lost its lease writes nothing.
 * A crash between chunks loses and duplicates nothing: the next chunk starts from the states
 * still accepted. A customer who changes a state between the read and the batch wins: that
 * state is not flipped and gets no entry.
 */
export async function expireChunk(rc: RunContext, work: ConsentWork): Promise<ChunkResult> {
  // R10: due iff max(lastActivity, activationDay) + days <= day(T); the caller checked the
  // activation side, so the index range is activity_day <= day(T) - days.
  const throughDay = dayOf(work.scheduledAt) - work.days;
  const db = rc.db.$client;
  const read = await withD1Retry(() =>
    db
      .prepare(
        `SELECT profile FROM state WHERE consent = ?1 AND status = 1 AND activity_day <= ?2
         ORDER BY activity_day, profile LIMIT ?3`,
      )
      .bind(work.consentNum, throughDay, rc.chunkSize)
      .all<{ profile: number }>(),
  );
  const now = rc.clock();
  const lease = { name: consentLeaseName(work.consentId), holder: work.runId };
  const guard = `EXISTS (SELECT 1 FROM expiry_lease WHERE name = ?1 AND holder = ?2 AND expires_at > ?3)`;
  const fence = [lease.name, lease.holder, now];
  if (read.results.length === 0) {
    // Nothing due (a quiet night, or the previous chunk took the last ones): no write batch,
    // only the lease check, so such a consent costs a few rows read (docs/expiry.md).
    const check = await withD1Retry(() =>
      db
        .prepare(`SELECT ${guard} AS held`)
        .bind(...fence)
        .all<{ held: number }>(),
    );
    return {
      held: check.results[0]?.held === 1,
      expired: 0,
      more: false,
      rowsRead: (read.meta.rows_read ?? 0) + (check.meta.rows_read ?? 0),
      rowsWritten: 0,
    };
  }
  const due = JSON.stringify(read.results.map((d) => d.profile));
  const results = await withD1Retry(() =>
    db.batch([
      renewLeaseStatement(rc.db, { ...lease, now, ttlMs: rc.leaseMs }),
      ensureActors({ db: rc.db, tenantNum: work.tenantNum }, [runActor(work.runId)]),
      // Flip the states still accepted and due; T (?6) marks the ones this chunk flipped. The
      // list drives the primary-key lookups; the unary `+` keeps SQLite from scanning the
      // whole due range of the partial index instead.
      db
        .prepare(
          `UPDATE state SET status = 0, changed_at = ?6, expired_at = ?6
           WHERE (profile, consent) IN (SELECT value, ?4 FROM json_each(?5))
             AND +status = 1 AND +activity_day <= ?7 AND ${guard}`,
        )
        .bind(...fence, work.consentNum, due, work.scheduledAt, throughDay),
      // The entries of exactly the states flipped above, in the list's order.
      db
        .prepare(
          `INSERT INTO entry (tenant, idx, kind, profile, consent, version, from_status,
             to_status, reason, actor, occurred_at, recorded_at)
           SELECT ?7, coalesce((SELECT idx FROM entry WHERE tenant = ?7 ORDER BY idx DESC LIMIT 1), -1)
               + row_number() OVER (ORDER BY j.key),
             1, j.value, ?4, ?8, 1, 0, 4,
             (SELECT id FROM actor WHERE tenant = ?7 AND name = ?9), ?6, ?3
           FROM json_each(?5) AS j
           WHERE ${guard} AND EXISTS (SELECT 1 FROM state AS s
             WHERE s.profile = j.value AND s.consent = ?4 AND s.status = 0
               AND s.expired_at = ?6 AND s.changed_at = ?6)`,
        )
        .bind(
          ...fence,
          work.consentNum,
          due,
          work.scheduledAt,
          work.tenantNum,
          work.consentVersion,
          runActor(work.runId),
        ),
    ]),
  );
  const [renewed, , flipped] = results;
  return {
    held: (renewed?.meta.changes ?? 0) === 1,
    expired: flipped?.meta.changes ?? 0,
    more: read.results.length === rc.chunkSize,
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
