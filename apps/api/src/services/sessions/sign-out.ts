import { and, eq, isNull } from "drizzle-orm";
import { consoleSession } from "../../db/schema.ts";
import type { UnscopedContext } from "../context.ts";
import { hashKey } from "../keys/material.ts";

/** Ends a session at once (sign-out). */
export async function signOut({ ctx, input }: { ctx: UnscopedContext; input: { token: string } }) {
  await ctx.db
    .update(consoleSession)
    .set({ revokedAt: ctx.now })
    .where(
      and(eq(consoleSession.id, await hashKey(input.token)), isNull(consoleSession.revokedAt)),
    );
}
