import { ConsentKey } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { consent } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { requireConsent } from "./load.ts";
import { consentView } from "./view.ts";

export const ArchiveConsentInput = z.strictObject({ key: ConsentKey });
export type ArchiveConsentInput = z.infer<typeof ArchiveConsentInput>;

/**
 * Takes a consent out of the catalogue. Its states and history stay (R11); it no longer
 * expires, extends or accepts changes, and its key is never reused.
 */
export async function archiveConsent({ ctx, input }: ServiceCall<ArchiveConsentInput>) {
  const stored = await requireConsent(ctx, input.key);
  await ctx.db
    .update(consent)
    .set({ archivedAt: ctx.now, updatedAt: ctx.now, expiryEnabled: false })
    .where(and(eq(consent.tenantId, ctx.tenantId), eq(consent.id, stored.id)));
  return consentView(await requireConsent(ctx, input.key, { allowArchived: true }));
}
