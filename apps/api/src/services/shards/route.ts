import type { Db } from "../../db/client.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { groupBy } from "../group-by.ts";

/**
 * Routing a tenant's profiles to its data shards (SPEC §6, docs/scaling.md). A tenant has S
 * slots (S a power of two), each on one data shard; a profile lives in slot
 * `fnv1a32(tenant id ‖ 0x00 ‖ profile id) mod S`. The hash is stable (it never depends on the
 * deployment) and taken modulo a power of two, so when a tenant grows from S to 2S slots each
 * profile of slot s stays in s or moves to s + S, never elsewhere (tenant:reshard).
 */

/** One of a tenant's slots and the data shard that holds it. */
export interface TenantShard {
  slot: number;
  /** The shard's binding name (SHARD_<n>), as the run ledger records it. */
  binding: string;
  /** Where this slot's own log entries start: 0, or the fork point of a reshard. */
  logFrom: number;
  db: Db;
}

/** A tenant-scoped context on one data shard: what reads and writes of data tables take. */
export interface DataContext extends ServiceContext {
  /** The data shard of the profiles this call works on. */
  data: Db;
  /** That shard's binding name. */
  shard: string;
  /** The tenant's slot it holds (its log's origin names it, services/proof/keys.ts). */
  slot: number;
}

const encoder = new TextEncoder();

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The slot of a profile among `slots` (a power of two). */
export function slotOf(tenantId: string, profileId: string, slots: number): number {
  return slots === 1 ? 0 : fnv1a32(`${tenantId}\u0000${profileId}`) & (slots - 1);
}

/** How long a caller should wait before retrying a write refused during a reshard. */
export const RESHARD_RETRY_SECONDS = 60;

/**
 * Refuses a write to the tenant's data shards while `tenant:reshard` copies them (before any
 * write: nothing is changed); reads go on from the old layout meanwhile.
 */
export function requireWritable(ctx: ServiceContext): void {
  if (ctx.resharding) {
    throw new ServiceError(
      "UNAVAILABLE",
      `This tenant's data is being moved to more shards (a reshard, usually minutes): writes are paused and nothing was written. Retry in ${RESHARD_RETRY_SECONDS} s.`,
      [],
      RESHARD_RETRY_SECONDS,
    );
  }
}

/** The tenant's shard that holds this profile. */
export function shardOfProfile(ctx: ServiceContext, profileId: string): TenantShard {
  const shard = ctx.shards[slotOf(ctx.tenantId, profileId, ctx.shards.length)];
  if (!shard) {
    throw new Error(`Tenant ${ctx.tenantId} has no data shard (the shard map is empty for it).`);
  }
  return shard;
}

/** The context of a call on one of the tenant's shards. */
export function onShard(ctx: ServiceContext, shard: TenantShard): DataContext {
  return { ...ctx, data: shard.db, shard: shard.binding, slot: shard.slot };
}

/** The context of a call on one profile: its shard, and only it (a profile call touches one). */
export function forProfile(ctx: ServiceContext, profileId: string): DataContext {
  return onShard(ctx, shardOfProfile(ctx, profileId));
}

/**
 * Items grouped by the shard of their profile, in the tenant's slot order; each group keeps
 * the items' order. Shards with no item are left out.
 */
export function groupByShard<T>(
  ctx: ServiceContext,
  items: readonly T[],
  profileOf: (item: T) => string,
): { shard: TenantShard; items: T[] }[] {
  const groups = groupBy(items, (item) => shardOfProfile(ctx, profileOf(item)).slot);
  return ctx.shards.flatMap((shard) => {
    const group = groups.get(shard.slot);
    return group ? [{ shard, items: group }] : [];
  });
}
