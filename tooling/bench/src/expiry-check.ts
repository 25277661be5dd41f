// That a night lost and duplicated nothing, read from a data shard's SQLite file after it:
// every state due at T expired exactly once and has exactly one expiry entry in the log, no
// state that was not due expired, and nothing due is left. Counted in SQL (node:sqlite), on
// the states the seed generated due and the entries the night appended; nothing else may have
// the file open.
import { DatabaseSync } from "node:sqlite";
import { REASON_CODES, STATUS_CODES } from "@lapse/proof";
import type { SeedConsent } from "./seed.ts";

export interface ExpiryCheck {
  /** States the seed generated due at T on this shard. */
  due: number;
  /** States with an expiry time (the flip sets expired_at). */
  expired: number;
  /** Expiry entries (status changes for the reason `expired`), and the states they name. */
  entries: number;
  entryStates: number;
  /** Expired states without exactly one expiry entry. */
  unmatched: number;
  /** Expired states that were not due at T. */
  notDue: number;
  /** Accepted states still due at T. */
  left: number;
}

/** The counts of `file` (a data shard) after the night at `runDay`. */
export function checkExpiry(
  file: string,
  consents: Pick<SeedConsent, "num" | "days">[],
  runDay: number,
  due: number,
): ExpiryCheck {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const count = (sql: string, ...params: number[]) =>
      (db.prepare(sql).get(...params) as { n: number }).n;
    const expiredReason = REASON_CODES.expired;
    // The due limit of each consent: its states last active on or before it were due at T.
    const limits = JSON.stringify(consents.map((c) => ({ c: c.num, through: runDay - c.days })));
    const entries = db
      .prepare(
        `SELECT count(*) AS n, count(DISTINCT profile * 64 + consent) AS states FROM entry
         WHERE kind = 1 AND reason = ?`,
      )
      .get(expiredReason) as { n: number; states: number };
    return {
      due,
      expired: count("SELECT count(*) AS n FROM state WHERE expired_at IS NOT NULL"),
      entries: entries.n,
      entryStates: entries.states,
      unmatched: count(
        `SELECT count(*) AS n FROM state AS s WHERE s.expired_at IS NOT NULL AND
           (SELECT count(*) FROM entry AS e WHERE e.profile = s.profile AND e.consent = s.consent
              AND e.kind = 1 AND e.reason = ?) <> 1`,
        expiredReason,
      ),
      notDue: (
        db
          .prepare(
            `SELECT count(*) AS n FROM state AS s
             JOIN json_each(?) AS l ON l.value ->> 'c' = s.consent
             WHERE s.expired_at IS NOT NULL AND s.activity_day > l.value ->> 'through'`,
          )
          .get(limits) as { n: number }
      ).n,
      left: (
        db
          .prepare(
            `SELECT count(*) AS n FROM state AS s
             JOIN json_each(?) AS l ON l.value ->> 'c' = s.consent
             WHERE s.status = ? AND s.activity_day <= l.value ->> 'through'`,
          )
          .get(limits, STATUS_CODES.accepted) as { n: number }
      ).n,
    };
  } finally {
    db.close();
  }
}

/** The checks of several shards added up. */
export function sumChecks(checks: ExpiryCheck[]): ExpiryCheck {
  const total: ExpiryCheck = {
    due: 0,
    expired: 0,
    entries: 0,
    entryStates: 0,
    unmatched: 0,
    notDue: 0,
    left: 0,
  };
  for (const c of checks) {
    for (const key of Object.keys(total) as (keyof ExpiryCheck)[]) {
      total[key] += c[key];
    }
  }
  return total;
}

/** Whether nothing was lost or duplicated: one expiry per due state, one entry per expiry. */
export function exactlyOnce(c: ExpiryCheck): boolean {
  return (
    c.expired === c.due &&
    c.entries === c.due &&
    c.entryStates === c.due &&
    c.unmatched === 0 &&
    c.notDue === 0 &&
    c.left === 0
  );
}
