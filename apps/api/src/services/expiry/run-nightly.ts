import { dayOf } from "@lapse/consent";
import { and, eq, isNull, sql } from "drizzle-orm";
import { withD1Retry } from "../../db/retry.ts";
import { consent, expiryRun, shard, tenant, tenantShard } from "../../db/schema.ts";
import { newId } from "../../ids.ts";
import { groupBy } from "../group-by.ts";
import { type ConsentWork, expireConsent } from "./expire-consent.ts";
import { acquireLease, releaseLease } from "./lease.ts";
import { describeError, finishRun, recordRunConsent } from "./run-ledger.ts";
import type { FanOut, RunContext } from "./runtime.ts";

export interface RunRequest {
  /** T (R10): the cron's scheduledTime, or the `asOf` of an admin trigger. */
  scheduledAt: number;
  trigger: "cron" | "admin";
  /** Only this tenant's consents (an admin trigger); all tenants for the cron. */
  tenantId?: string | undefined;
  /** With a fan-out, consents are queued instead of expired in this invocation. */
  fanOut?: FanOut | undefined;
}

export type RunOutcome =
  | { started: true; runId: string; status: "running" | "succeeded" | "failed" }
  | { started: false; reason: string };

export const NIGHTLY_LEASE = "nightly";
/** Cron invocations may run up to 15 minutes; the whole-run lease outlives that. */
const RUN_LEASE_MS = 16 * 60_000;

/**
 * The nightly expiry (R10). Consents whose expiry is enabled at T (activated no later than T)
 * and where something can be due (`activationDay + days <= day(T)`) are processed; the others
 * are skipped without touching their states. Two runs never work at once: the whole run holds
 * the `nightly` lease, each consent its own.
 */
export async function runNightlyExpiry(rc: RunContext, request: RunRequest): Promise<RunOutcome> {
  const runId = newId("run");
  const startedAt = rc.clock();
  if (
    !(await acquireLease(rc.db, {
      name: NIGHTLY_LEASE,
      holder: runId,
      now: startedAt,
      ttlMs: RUN_LEASE_MS,
    }))
  ) {
    return { started: false, reason: "Another expiry run holds the lease; this one did nothing." };
  }
  try {
    await closeAbandonedRuns(rc, runId);
    await withD1Retry(() =>
      rc.db.insert(expiryRun).values({
        id: runId,
        scheduledAt: request.scheduledAt,
        tenantId: request.tenantId ?? null,
        trigger: request.trigger,
        mode: request.fanOut ? "queue" : "inline",
        status: "running",
        startedAt,
      }),
    );
    await measureShards(rc);
    const candidates = await dueConsents(rc, runId, request);
    // A queue message costs an invocation: send one only where a state is actually due.
    const works = request.fanOut ? await withDueWork(rc, candidates) : candidates;
    if (works.length > 0) {
      const status = request.fanOut ? "queued" : "running";
      await withD1Retry(() =>
        rc.db.$client.batch(
          works.map((w) =>
            rc.db.$client
              .prepare(
                `INSERT INTO expiry_run_consent (run_id, tenant_id, consent_id, shard, consent_key,
                   status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
              )
              .bind(runId, w.tenantId, w.consentId, w.shard, w.consentKey, status),
          ),
        ),
      );
    }

    if (request.fanOut && works.length > 0) {
      await request.fanOut.send(
        works.map((w) => ({
          runId,
          tenantId: w.tenantId,
          consentId: w.consentId,
          shard: w.shard,
          scheduledAt: w.scheduledAt,
        })),
      );
      return { started: true, runId, status: "running" };
    }
    // Inline: the shards at once (each its own database and leases), the consents of one
    // shard one after another.
    let failed: unknown = null;
    await Promise.all(
      [...groupBy(works, (w) => w.shard).values()].map(async (shardWorks) => {
        for (const work of shardWorks) {
          try {
            const progress = await expireConsent(rc, work);
            await recordRunConsent(
              rc,
              work,
              progress.outcome === "busy" ? "failed" : "succeeded",
              progress,
              progress.outcome === "busy" ? "Another runner held this consent." : null,
            );
          } catch (error) {
            failed ??= error;
            await recordRunConsent(rc, work, "failed", null, describeError(error));
          }
        }
      }),
    );
    // The run's entries are sealed into the tenants' logs before it ends (R11, docs/proof.md).
    const sealed = await rc.seal?.(request.tenantId).then(
      () => null,
      (error: unknown) => error,
    );
    failed ??= sealed ?? null;
    return { started: true, runId, status: await finishRun(rc, runId, failed) };
  } catch (error) {
    await finishRun(rc, runId, error);
    throw error;
  } finally {
    await releaseLease(rc.db, { name: NIGHTLY_LEASE, holder: runId });
  }
}

/**
 * An inline run holds the nightly lease until it finishes, so one still `running` when the
 * lease is taken again died mid-way (its invocation was killed): it is marked failed, so the
 * console does not show it running for ever. Its work is finished by this run (R10).
 */
async function closeAbandonedRuns(rc: RunContext, runId: string): Promise<void> {
  const reason = `Abandoned: its invocation ended before it finished; run ${runId} took over.`;
  const db = rc.db.$client;
  await withD1Retry(() =>
    db.batch([
      db
        .prepare(
          `UPDATE expiry_run_consent SET status = 'failed', error = ?2
           WHERE status IN ('queued', 'running') AND run_id IN
             (SELECT id FROM expiry_run WHERE status = 'running' AND mode = 'inline' AND id <> ?1)`,
        )
        .bind(runId, reason),
      db
        .prepare(
          `UPDATE expiry_run SET status = 'failed', finished_at = ?3, error = ?2
           WHERE status = 'running' AND mode = 'inline' AND id <> ?1`,
        )
        .bind(runId, reason, rc.clock()),
    ]),
  );
}

/**
 * Records each data shard's size as D1 reports it (`size_after` of a trivial read) in the
 * shard map, where placement reads it: new tenants go to the least-filled shards.
 */
async function measureShards(rc: RunContext): Promise<void> {
  const shards = await withD1Retry(() => rc.db.select().from(shard));
  const sizes = await Promise.all(
    shards.map(async (s) => {
      const probe = await withD1Retry(() => rc.shard(s.binding).$client.prepare("SELECT 1").run());
      return { num: s.num, bytes: probe.meta.size_after ?? s.bytes };
    }),
  );
  const db = rc.db.$client;
  const now = rc.clock();
  if (sizes.length > 0) {
    await withD1Retry(() =>
      db.batch(
        sizes.map((size) =>
          db
            .prepare("UPDATE shard SET bytes = ?2, measured_at = ?3 WHERE num = ?1")
            .bind(size.num, size.bytes, now),
        ),
      ),
    );
  }
}

/**
 * The works among `works` with at least one due state on their shard: one index probe each,
 * one batch per shard, the shards at once.
 */
async function withDueWork(rc: RunContext, works: ConsentWork[]): Promise<ConsentWork[]> {
  const kept = await Promise.all(
    [...groupBy(works, (w) => w.shard)].map(async ([binding, shardWorks]) => {
      const db = rc.shard(binding).$client;
      const probes = await withD1Retry(() =>
        db.batch<{ due: number }>(
          shardWorks.map((w) =>
            db
              .prepare(
                `SELECT 1 AS due FROM state
                 WHERE consent = ?1 AND status = 1 AND activity_day <= ?2 LIMIT 1`,
              )
              .bind(w.consentNum, dayOf(w.scheduledAt) - w.days),
          ),
        ),
      );
      return shardWorks.filter((_, i) => (probes[i]?.results.length ?? 0) > 0);
    }),
  );
  return kept.flat();
}

/**
 * The (consent, shard) pairs with something possibly due at T, read in one query: each
 * consent once for every shard of its tenant's placement.
 */
async function dueConsents(
  rc: RunContext,
  runId: string,
  request: RunRequest,
): Promise<ConsentWork[]> {
  const runDay = dayOf(request.scheduledAt);
  const rows = await withD1Retry(() =>
    rc.db
      .select({
        id: consent.id,
        num: consent.num,
        tenantId: consent.tenantId,
        tenantNum: tenant.num,
        key: consent.key,
        version: consent.version,
        days: consent.expiryDays,
        activatedAt: consent.expiryActivatedAt,
        shard: shard.binding,
      })
      .from(consent)
      .innerJoin(tenant, eq(tenant.id, consent.tenantId))
      .innerJoin(tenantShard, eq(tenantShard.tenantId, consent.tenantId))
      .innerJoin(shard, eq(shard.num, tenantShard.shard))
      .where(
        and(
          eq(consent.expiryEnabled, true),
          sql`${consent.archivedAt} IS NULL`,
          sql`${consent.expiryActivatedAt} <= ${request.scheduledAt}`,
          // Nothing can be due before activationDay + days (R7).
          sql`(${consent.expiryActivatedAt} / 86400000) + ${consent.expiryDays} <= ${runDay}`,
          request.tenantId === undefined ? undefined : eq(consent.tenantId, request.tenantId),
          // A tenant being resharded is left for the next night (docs/scaling.md): its states
          // are being copied; what is due then is due the night after as well.
          isNull(tenant.reshardingSince),
        ),
      ),
  );
  return rows.map((row) => ({
    runId,
    tenantId: row.tenantId,
    tenantNum: row.tenantNum,
    shard: row.shard,
    consentId: row.id,
    consentNum: row.num,
    consentKey: row.key,
    consentVersion: row.version,
    days: row.days ?? 0,
    activationDay: dayOf(row.activatedAt ?? 0),
    scheduledAt: request.scheduledAt,
  }));
}
