import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { loadConsents } from "./load.ts";
import { consentView } from "./view.ts";

export const ListConsentsInput = z
  .strictObject({ includeArchived: z.boolean().optional() })
  .default({});
export type ListConsentsInput = z.infer<typeof ListConsentsInput>;

/** The tenant's catalogue in key order; archived consents only when asked. */
export async function listConsents({ ctx, input }: ServiceCall<ListConsentsInput>) {
  const consents = await loadConsents(ctx, { includeArchived: input.includeArchived ?? false });
  return consents.map(consentView);
}
