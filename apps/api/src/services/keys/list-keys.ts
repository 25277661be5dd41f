import { asc, eq } from "drizzle-orm";
import { apiKey } from "../../db/schema.ts";
import type { ServiceContext } from "../context.ts";
import { keyView } from "./view.ts";

/** The tenant's keys, without the keys themselves (only their prefixes). */
export async function listKeys({ ctx }: { ctx: ServiceContext }) {
  const rows = await ctx.db
    .select()
    .from(apiKey)
    .where(eq(apiKey.tenantId, ctx.tenantId))
    .orderBy(asc(apiKey.createdAt), asc(apiKey.id));
  return rows.map(keyView);
}
