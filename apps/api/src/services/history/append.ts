import type { HistoryEntry } from "@lapse/consent";
import type { ServiceContext } from "../context.ts";
import { type ChainedFields, link } from "./chain.ts";

/** A history entry as written: the domain's line and the id of its consent. */
export interface HistoryWrite {
  consentId: string;
  entry: HistoryEntry;
}

function fields({ consentId, entry }: HistoryWrite): ChainedFields {
  return {
    profileId: entry.profileId,
    consentId,
    consentKey: entry.consent,
    consentVersion: entry.consentVersion,
    from: entry.from,
    to: entry.to,
    reason: entry.reason,
    actor: entry.actor,
    occurredAt: entry.occurredAt,
    recordedAt: entry.recordedAt,
  };
}

/** The current chain heads of some profiles, in one statement. */
export async function loadHeads(
  ctx: ServiceContext,
  profileIds: readonly string[],
): Promise<Map<string, string>> {
  const { results } = await ctx.db.$client
    .prepare(
      `SELECT profile_id AS profileId, hash FROM history_head
       WHERE tenant_id = ?1 AND profile_id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(ctx.tenantId, JSON.stringify([...new Set(profileIds)]))
    .all<{ profileId: string; hash: string }>();
  return new Map(results.map((r) => [r.profileId, r.hash]));
}

/**
 * The statement that appends entries to their profiles' chains (R11), with their hashes; the
 * database moves the heads itself (trigger). It belongs in the same batch as the state changes
 * it proves. If another writer appended to one of these profiles since the heads were read,
 * the chain guard refuses the line and the batch rolls back; `withChainRetry` runs the service
 * again on fresh data.
 */
export async function appendHistory(
  ctx: ServiceContext,
  writes: readonly HistoryWrite[],
): Promise<D1PreparedStatement[]> {
  if (writes.length === 0) {
    return [];
  }
  const entries = writes.map(fields);
  const heads = await loadHeads(
    ctx,
    entries.map((e) => e.profileId),
  );
  const chained = await link(ctx.tenantId, heads, entries);
  const db = ctx.db.$client;
  const rows = JSON.stringify(
    chained.linked.map(({ entry: e, prevHash, hash }) => ({
      p: e.profileId,
      c: e.consentId,
      k: e.consentKey,
      v: e.consentVersion,
      f: e.from,
      t: e.to,
      r: e.reason,
      a: e.actor,
      o: e.occurredAt,
      at: e.recordedAt,
      ph: prevHash,
      h: hash,
    })),
  );
  return [
    db
      .prepare(
        `INSERT INTO consent_history (tenant_id, profile_id, consent_id, consent_key,
           consent_version, from_status, to_status, reason, actor, occurred_at, recorded_at,
           prev_hash, hash)
         SELECT ?1, value ->> '$.p', value ->> '$.c', value ->> '$.k', value ->> '$.v',
           value ->> '$.f', value ->> '$.t', value ->> '$.r', value ->> '$.a', value ->> '$.o',
           value ->> '$.at', value ->> '$.ph', value ->> '$.h'
         FROM json_each(?2) ORDER BY key`,
      )
      .bind(ctx.tenantId, rows),
  ];
}

/** The chain guard's message (migration 0003). */
export const CHAIN_MOVED = "history chain moved";

/** True for the error of a batch that lost a race to append to the same chain. */
export function isChainConflict(error: unknown): boolean {
  return error instanceof Error && error.message.includes(CHAIN_MOVED);
}

/**
 * Runs a read-decide-write service again when its batch lost a race for a profile's chain:
 * the second run reads the other writer's result, so no decision is made on stale states.
 */
export async function withChainRetry<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isChainConflict(error)) {
        throw error;
      }
    }
  }
}
