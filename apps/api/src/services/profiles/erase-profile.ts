import { ProfileId } from "@lapse/consent";
import { encodeHex } from "@lapse/proof";
import { z } from "zod";
import { boundStatement, runAtomically } from "../../db/batch.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { iso } from "../iso.ts";
import { forProfile, groupByShard, requireWritable } from "../shards/route.ts";
import { NEXT_INDEX } from "./states.ts";

export const EraseProfileInput = z.strictObject({
  profileId: ProfileId,
  /** Why, in the erasure entry (R13): a ticket number, "art. 17 request"; never personal data. */
  reason: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}]*$/u, "no control characters")
    .optional(),
});
export type EraseProfileInput = z.infer<typeof EraseProfileInput>;

const utf8 = new TextEncoder();

/**
 * The tenant-keyed HMAC of external profile ids that `erased_profile` keeps (R13): HMAC-SHA256
 * under the `ERASURE_KEY` bytes (services/proof/keys.ts) of `tenant id ‖ 0x00 ‖ profile id`, hex. The id itself is not kept, and
 * without the key (a Worker secret, never in the database) the rows link to no one.
 */
export async function erasedIdHmacs(
  erasureKey: Uint8Array,
  tenantId: string,
  profileIds: readonly string[],
): Promise<Map<string, string>> {
  const key = await crypto.subtle.importKey(
    "raw",
    erasureKey,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const out = new Map<string, string>();
  for (const id of new Set(profileIds)) {
    const mac = await crypto.subtle.sign("HMAC", key, utf8.encode(`${tenantId}\u0000${id}`));
    out.set(id, encodeHex(new Uint8Array(mac)));
  }
  return out;
}

/** The ids among `profileIds` that this tenant erased (R13), asked of each id's shard. */
export async function erasedProfileIds(
  ctx: ServiceContext,
  erasureKey: Uint8Array,
  profileIds: readonly string[],
): Promise<Set<string>> {
  const hmacs = await erasedIdHmacs(erasureKey, ctx.tenantId, profileIds);
  const answers = await Promise.all(
    groupByShard(ctx, [...hmacs], ([id]) => id).map(({ shard, items }) =>
      shard.db.$client
        .prepare(
          `SELECT lower(hex(id_hmac)) AS mac FROM erased_profile
           WHERE tenant = ?1 AND id_hmac IN (SELECT unhex(value) FROM json_each(?2))`,
        )
        .bind(ctx.tenantNum, JSON.stringify(items.map(([, mac]) => mac)))
        .all<{ mac: string }>(),
    ),
  );
  const erased = new Set(answers.flatMap((a) => a.results.map((r) => r.mac)));
  return new Set([...hmacs].filter(([, mac]) => erased.has(mac)).map(([id]) => id));
}

/**
 * Erases a profile (R13, GDPR art. 17): one batch deletes its states and its profile row (the
 * external id and the salt that opened its binding entry), appends an `erasure` entry that
 * names no one (the profile key and the reason), and keeps the id's HMAC so that an import of
 * it is refused. Every other entry, the tree and every checkpoint stay valid: the old entries
 * of this profile are still in the log, linked to no id. Erasing an id erased before changes
 * nothing; an id never seen is NOT_FOUND.
 */
export async function eraseProfile({
  ctx,
  input,
  erasureKey,
}: {
  ctx: ServiceContext;
  input: EraseProfileInput;
  erasureKey: Uint8Array;
}) {
  requireWritable(ctx);
  const mac = (await erasedIdHmacs(erasureKey, ctx.tenantId, [input.profileId])).get(
    input.profileId,
  ) as string;
  // The profile's shard holds its row, states, entries and, afterwards, its HMAC.
  const db = forProfile(ctx, input.profileId).data;
  const found = await db.$client
    .prepare(
      `SELECT p.id, (SELECT count(*) FROM state WHERE profile = p.id) AS states
       FROM profile AS p WHERE p.tenant = ?1 AND p.external_id = ?2`,
    )
    .bind(ctx.tenantNum, input.profileId)
    .first<{ id: number; states: number }>();
  if (!found) {
    const before = await db.$client
      .prepare(
        "SELECT erased_at AS erasedAt FROM erased_profile WHERE tenant = ?1 AND id_hmac = unhex(?2)",
      )
      .bind(ctx.tenantNum, mac)
      .first<{ erasedAt: number }>();
    if (before) {
      return { profileId: input.profileId, erasedAt: iso(before.erasedAt), statesDeleted: 0 };
    }
    throw new ServiceError(
      "NOT_FOUND",
      `No profile '${input.profileId}' in this tenant: nothing to erase.`,
      [{ path: "profileId", message: "no such profile" }],
    );
  }
  const reason = input.reason ?? "erasure requested";
  const [, deleted] = await runAtomically(db, [
    boundStatement(
      db,
      `INSERT INTO entry (tenant, idx, kind, profile, recorded_at, data)
       VALUES (?1, ${NEXT_INDEX} + 1, 3, ?2, ?3, CAST(?4 AS BLOB))`,
      ctx.tenantNum,
      found.id,
      ctx.now,
      reason,
    ),
    boundStatement(db, "DELETE FROM state WHERE profile = ?1", found.id),
    boundStatement(
      db,
      `INSERT INTO erased_profile (tenant, id_hmac, erased_at) VALUES (?1, unhex(?2), ?3)
       ON CONFLICT (tenant, id_hmac) DO NOTHING`,
      ctx.tenantNum,
      mac,
      ctx.now,
    ),
    boundStatement(db, "DELETE FROM profile WHERE id = ?1", found.id),
  ]);
  return {
    profileId: input.profileId,
    erasedAt: iso(ctx.now),
    statesDeleted: deleted?.meta.changes ?? found.states,
  };
}
