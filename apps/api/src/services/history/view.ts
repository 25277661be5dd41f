import { reasonOf, statusOf } from "../../db/codes.ts";
import { loadConsents } from "../consents/load.ts";
import type { ServiceContext } from "../context.ts";
import { iso } from "../iso.ts";

/**
 * A status-change entry of the log as the readers get it: its leaf index, its consent's
 * number (the key is in the control plane: `consentKeys`), its actor's name joined in, its
 * codes still codes.
 */
export interface HistoryRow {
  idx: number;
  consent: number;
  consentVersion: number;
  fromStatus: number;
  toStatus: number;
  reason: number;
  actor: string;
  occurredAt: number;
  recordedAt: number;
}

/**
 * The columns and joins of `HistoryRow` over `entry AS e` on a data shard, plus `extra`
 * columns: the SQL every reader of the trail shares (status changes only: filter on
 * `e.kind = 1`).
 */
export function historySelect(extra = ""): string {
  return `SELECT e.idx, ${extra} e.consent, e.version AS consentVersion,
    e.from_status AS fromStatus, e.to_status AS toStatus, e.reason, a.name AS actor,
    e.occurred_at AS occurredAt, e.recorded_at AS recordedAt
  FROM entry AS e
  JOIN actor AS a ON a.id = e.actor`;
}

/** The keys of the tenant's consents (archived ones too) by number, from the control plane. */
export async function consentKeys(ctx: ServiceContext): Promise<Map<number, string>> {
  const consents = await loadConsents(ctx, { includeArchived: true });
  return new Map(consents.map((c) => [c.num, c.consent.key]));
}

/** One history line as every reader shows it: the trail, the change feed. */
export function historyItem(row: HistoryRow, keys: ReadonlyMap<number, string>) {
  return {
    consent: keys.get(row.consent) ?? `#${row.consent}`,
    consentVersion: row.consentVersion,
    from: statusOf(row.fromStatus),
    to: statusOf(row.toStatus),
    reason: reasonOf(row.reason) as Exclude<ReturnType<typeof reasonOf>, "erased">,
    actor: row.actor,
    occurredAt: iso(row.occurredAt),
    recordedAt: iso(row.recordedAt),
  };
}
export type HistoryItem = ReturnType<typeof historyItem>;
