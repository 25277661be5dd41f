import { dayOf } from "@lapse/consent";
import { withD1Retry } from "../../db/retry.ts";
import { ensureActors } from "../history/append.ts";
import { acquireLease, releaseLease, renewLeaseStatement } from "./lease.ts";
import type { RunContext } from "./runtime.ts";

/** One (shard, tenant, consent) of one run: everything the chunks need, read once. */
export interface ConsentWork {
  runId: string;
  tenantId: string;
  /** The data shard (its binding) holding the states this work expires. */
  shard: string;
  /** The tenant's number in the data tables. */
  tenantNum: number;
  consentId: string;
  /** The consent's number in the data tables. */
  consentNum: number;
  consentKey: string;
  consentVersion: number;
  days: number;
  /** The UTC day of the policy's last activation: no clock starts before it (R7). */
  activationDay: number;
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

/** A chunk retries its batch this many times when other writers took its entry numbers. */
const NUMBERING_ATTEMPTS = 5;

/** D1's answer when an entry number is taken: another writer appended between probe and batch. */
function isNumberTaken(error: unknown): boolean {
  return (
    error instanceof Error &&
    /UNIQUE constraint failed: entry\.tenant, entry\.idx/.test(error.message)
  );
}

/**
 * One chunk (R10). A probe reads whether the lease is still held, whether anything is due and
 * the tenant's newest entry number (`top`); when something is due, one batch renews the lease,
 * appends the `expired` entries (R11) of the first `chunkSize` due states (partial due index,
 * order last-activity day, profile key), numbered top + 1, top + 2, … from one JSON array, then
 * flips exactly the states those entries name to `unknown`. Both happen in one transaction, so
 * an entry exists iff its flip does, and a customer's write before the batch simply leaves that
 * state out. When another writer appended entries between probe and batch, the numbers are
 * taken and D1 refuses the batch whole (the log's primary key): the chunk probes again.
 *
 * D1 rows read per expired state: 2 for the entries (the index entry, the JSON element), 3 for
 * the flip (the entry, the state, its update); the probe is a few rows per chunk (docs/expiry.md).
 * Every write checks the lease holder (fencing): a runner that lost its lease writes nothing.
 * A crash between chunks loses and duplicates nothing: the next chunk starts from the states
 * still accepted.
 */
export async function expireChunk(rc: RunContext, work: ConsentWork): Promise<ChunkResult> {
  // R10: due iff max(lastActivity, activationDay) + days <= day(T); the caller checked the
  // activation side, so the index range is activity_day <= day(T) - days.
  const throughDay = dayOf(work.scheduledAt) - work.days;
  // The shard holds the states, the log and the consent's lease: one database, one batch.
  const data = rc.shard(work.shard);
  const db = data.$client;
  const lease = { name: consentLeaseName(work.consentId), holder: work.runId };
  const guard = `EXISTS (SELECT 1 FROM expiry_lease WHERE name = ?1 AND holder = ?2 AND expires_at > ?3)`;
  const actor = runActor(work.runId);
  let rowsRead = 0;
  let rowsWritten = 0;
  for (let attempt = 1; ; attempt++) {
    const now = rc.clock();
    const fence = [lease.name, lease.holder, now];
    const probe = await withD1Retry(() =>
      db
        .prepare(
          `SELECT ${guard} AS held,
             EXISTS (SELECT 1 FROM state WHERE consent = ?4 AND status = 1 AND activity_day <= ?5) AS due,
             coalesce((SELECT idx FROM entry WHERE tenant = ?6 ORDER BY idx DESC LIMIT 1), -1) AS top`,
        )
        .bind(...fence, work.consentNum, throughDay, work.tenantNum)
        .all<{ held: number; due: number; top: number }>(),
    );
    rowsRead += probe.meta.rows_read ?? 0;
    const { held, due, top } = probe.results[0] ?? { held: 0, due: 0, top: -1 };
    if (held !== 1 || due !== 1) {
      // Nothing due (a quiet night, or the previous chunk took the last ones): no write batch,
      // so such a consent costs a few rows read (docs/expiry.md).
      return { held: held === 1, expired: 0, more: false, rowsRead, rowsWritten };
    }
    let results: D1Result[];
    try {
      results = await withD1Retry(() =>
        db.batch([
          renewLeaseStatement(data, { ...lease, now, ttlMs: rc.leaseMs }),
          ensureActors({ data, tenantNum: work.tenantNum }, [actor]),
          // The entries, numbered after `top` from the array's positions. The subquery reads
          // the partial due index alone; the numbers come from the probe, not from a read of
          // `entry` here, which would make SQLite copy the whole selection first.
          db
            .prepare(
              `INSERT INTO entry (tenant, idx, kind, profile, consent, version, from_status,
                 to_status, reason, actor, occurred_at, recorded_at)
               SELECT ?6, ?7 + 1 + j.key, 1, j.value ->> '$[0]', ?4, ?8, 1, 0, 4,
                 (SELECT id FROM actor WHERE tenant = ?6 AND name = ?9),
                 (max(j.value ->> '$[1]', ?10) + ?12) * 86400000, ?3
               FROM (SELECT json_group_array(json_array(profile, activity_day)) AS due FROM
                   (SELECT profile, activity_day FROM state
                   WHERE consent = ?4 AND status = 1 AND activity_day <= ?5
                   ORDER BY activity_day, profile LIMIT ?11)) AS d,
                 json_each(d.due) AS j
               WHERE ${guard}`,
            )
            .bind(
              ...fence,
              work.consentNum,
              throughDay,
              work.tenantNum,
              top,
              work.consentVersion,
              actor,
              work.activationDay,
              rc.chunkSize,
              work.days,
            ),
          // The flips of exactly the states those entries name, at the instant each entry says
          // it lapsed: the start of its lapse day, max(last activity, activation) + days (R10),
          // however late the run; the read before the run reported the same (stateAt).
          db
            .prepare(
              `UPDATE state SET status = 0, changed_at = e.at, expired_at = e.at
               FROM (SELECT profile, occurred_at AS at FROM entry WHERE tenant = ?1 AND idx > ?2
                 AND consent = ?3 AND reason = 4
                 AND actor = (SELECT id FROM actor WHERE tenant = ?1 AND name = ?4)) AS e
               WHERE state.profile = e.profile AND state.consent = ?3 AND state.status = 1`,
            )
            .bind(work.tenantNum, top, work.consentNum, actor),
        ]),
      );
    } catch (error) {
      if (isNumberTaken(error) && attempt < NUMBERING_ATTEMPTS) {
        continue;
      }
      throw error;
    }
    const [renewed, , appended, flipped] = results;
    rowsRead += results.reduce((sum, r) => sum + (r.meta.rows_read ?? 0), 0);
    rowsWritten += results.reduce((sum, r) => sum + (r.meta.rows_written ?? 0), 0);
    const expired = flipped?.meta.changes ?? 0;
    if (expired !== (appended?.meta.changes ?? 0)) {
      // Cannot happen in one transaction; if it ever does, the run fails visibly.
      throw new Error(
        `Chunk of ${work.consentKey}: ${appended?.meta.changes} entries appended but ${expired} states flipped.`,
      );
    }
    return {
      held: (renewed?.meta.changes ?? 0) === 1,
      expired,
      more: expired === rc.chunkSize,
      rowsRead,
      rowsWritten,
    };
  }
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
 * Expires every due state of one consent on one shard, chunk after chunk, until none is left
 * or the time budget (`deadline`, wall clock) is reached. Takes and releases the consent's
 * lease on that shard: the shards of a consent work in parallel, each under its own lease.
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
  const data = rc.shard(work.shard);
  if (!(await acquireLease(data, { ...lease, now: started, ttlMs: rc.leaseMs }))) {
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
    await releaseLease(data, lease);
  }
  return progress;
}
