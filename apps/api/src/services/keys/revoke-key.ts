import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { apiKey } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { keyView } from "./view.ts";

export const RevokeKeyInput = z.strictObject({ id: z.string().min(1).max(64) });
export type RevokeKeyInput = z.infer<typeof RevokeKeyInput>;

/** Revokes a key at once. Another tenant's key id reads as absent (R12). */
export async function revokeKey({ ctx, input }: ServiceCall<RevokeKeyInput>) {
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
  if (!row) {
    throw new ServiceError("NOT_FOUND", `No key '${input.id}' in this tenant.`);
  }
  return keyView(row);
}
