import type { Db } from "../../db/client.ts";
import { withD1Retry } from "../../db/retry.ts";

/**
 * A lease row in D1 (not KV: it must be consistent with the writes it guards). `holder` is a
 * fencing token: the run id. Taking a lease succeeds only when it is free or lapsed.
 */
export async function acquireLease(
  db: Db,
  lease: { name: string; holder: string; now: number; ttlMs: number },
): Promise<boolean> {
  const result = await withD1Retry(() =>
    db.$client
      .prepare(
        `INSERT INTO expiry_lease (name, holder, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE expiry_lease.expires_at <= ?4 OR expiry_lease.holder = excluded.holder`,
      )
      .bind(lease.name, lease.holder, lease.now + lease.ttlMs, lease.now)
      .run(),
  );
  return result.meta.changes === 1;
}

/** Extends a lease still held; the statement goes into the same batch as the guarded writes. */
export function renewLeaseStatement(
  db: Db,
  lease: { name: string; holder: string; now: number; ttlMs: number },
): D1PreparedStatement {
  return db.$client
    .prepare(
      `UPDATE expiry_lease SET expires_at = ?3
       WHERE name = ?1 AND holder = ?2 AND expires_at > ?4`,
    )
    .bind(lease.name, lease.holder, lease.now + lease.ttlMs, lease.now);
}

export async function releaseLease(db: Db, lease: { name: string; holder: string }): Promise<void> {
  await withD1Retry(() =>
    db.$client
      .prepare("DELETE FROM expiry_lease WHERE name = ?1 AND holder = ?2")
      .bind(lease.name, lease.holder)
      .run(),
  );
}
