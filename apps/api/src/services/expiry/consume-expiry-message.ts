import { dayOf } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { withD1Retry } from "../../db/retry.ts";
import { consent, tenant } from "../../db/schema.ts";
import { expireConsent } from "./expire-consent.ts";
import { finishRun, recordRunConsent } from "./run-ledger.ts";
import type { ExpiryMessage, FanOut, RunContext } from "./runtime.ts";

/**
 * The queue consumer's work on one (shard, tenant, consent) of a run. It re-reads the consent (its
 * expiry may have been turned off since T: then nothing lapses, R9), expires chunks until none
 * is due or the time budget is spent, and then enqueues a continuation of itself.
 */
export async function consumeExpiryMessage(
  rc: RunContext,
  message: ExpiryMessage,
  options: { deadline: number; fanOut: FanOut },
): Promise<"done" | "continued"> {
  const found = await withD1Retry(() =>
    rc.db
      .select({ consent, tenantNum: tenant.num, resharding: tenant.reshardingSince })
      .from(consent)
      .innerJoin(tenant, eq(tenant.id, consent.tenantId))
      .where(and(eq(consent.id, message.consentId), eq(consent.tenantId, message.tenantId)))
      .get(),
  );
  if (found && found.resharding !== null) {
    // tenant:reshard is copying this tenant's states: let Queues deliver this again later.
    throw new Error(`Tenant ${message.tenantId} is being resharded; its night waits.`);
  }
  const row = found?.consent;
  const work = { runId: message.runId, consentId: message.consentId, shard: message.shard };
  // R10: only a consent whose expiry is still enabled, and was already at T.
  const days =
    row?.expiryEnabled &&
    row.archivedAt === null &&
    row.expiryActivatedAt !== null &&
    row.expiryActivatedAt <= message.scheduledAt
      ? row.expiryDays
      : null;
  if (!row || days === null) {
    await recordRunConsent(rc, work, "succeeded", null, null);
    await finishRun(rc, message.runId, null);
    return "done";
  }
  const progress = await expireConsent(
    rc,
    {
      ...message,
      tenantNum: found.tenantNum,
      consentNum: row.num,
      consentKey: row.key,
      consentVersion: row.version,
      days,
      activationDay: dayOf(row.expiryActivatedAt ?? 0),
    },
    { deadline: options.deadline },
  );
  if (progress.outcome === "busy") {
    // Another delivery of the same message is at work; let Queues retry this one later.
    throw new Error(`Consent ${message.consentId} is being expired by another consumer.`);
  }
  if (progress.outcome === "budget") {
    await recordRunConsent(rc, work, "running", progress, null);
    await options.fanOut.send([message]);
    return "continued";
  }
  await recordRunConsent(rc, work, "succeeded", progress, null);
  await finishRun(rc, message.runId, null);
  return "done";
}

/** A message that exhausted its retries lands in the dead-letter queue: its consent failed. */
export async function recordDeadLetter(rc: RunContext, message: ExpiryMessage, reason: string) {
  await recordRunConsent(rc, message, "failed", null, reason);
  await finishRun(rc, message.runId, null);
}
