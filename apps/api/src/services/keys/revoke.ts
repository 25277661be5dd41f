import { and, eq, isNull } from "drizzle-orm";
import { apiKey } from "../../db/schema";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { keyView } from "./create";

/** Revokes a key at once. Another tenant's key id reads as absent (R12). */
export async function revoke({ ctx, input }: { ctx: ServiceContext; input: { id: string } }) {
  await ctx.db
    .update(apiKey)
    .set({ revokedAt: ctx.now })
    .where(
      and(eq(apiKey.tenantId, ctx.tenantId), eq(apiKey.id, input.id), isNull(apiKey.revokedAt)),
    );
  const row = await ctx.db
    .select()
    .from(apiKey)
    .where(and(eq(apiKey.tenantId, ctx.tenantId), eq(apiKey.id, input.id)))
    .get();
  if (!row) throw new ServiceError("NOT_FOUND", `No key '${input.id}' in this tenant.`);
  return keyView(row);
}
