import { reasonOf, statusOf } from "../../db/codes.ts";
import { iso } from "../iso.ts";

/**
 * A status-change entry of the log as the readers get it: its leaf index, its consent's key
 * and its actor's name joined in, its codes still codes.
 */
export interface HistoryRow {
  idx: number;
  consentKey: string;
  consentVersion: number;
  fromStatus: number;
  toStatus: number;
  reason: number;
  actor: string;
  occurredAt: number;
  recordedAt: number;
}

/**
 * The columns and joins of `HistoryRow` over `entry AS e`, plus `extra` columns: the SQL every
 * reader of the trail shares (status changes only: filter on `e.kind = 1`).
 */
export function historySelect(extra = ""): string {
  return `SELECT e.idx, ${extra} c.key AS consentKey, e.version AS consentVersion,
    e.from_status AS fromStatus, e.to_status AS toStatus, e.reason, a.name AS actor,
    e.occurred_at AS occurredAt, e.recorded_at AS recordedAt
  FROM entry AS e
  JOIN consent AS c ON c.num = e.consent
  JOIN actor AS a ON a.id = e.actor`;
}

/** One history line as every reader shows it: the trail, the change feed. */
export function historyItem(row: HistoryRow) {
  return {
    consent: row.consentKey,
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
