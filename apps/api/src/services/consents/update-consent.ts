import { canonicalEventTypes } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { consent, consentVersion } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { CreateConsentInput } from "./create-consent.ts";
import { checkEntryEvents } from "./entry-events.ts";
import { requireConsent } from "./load.ts";
import { consentView } from "./view.ts";

/** The fields of a new consent but its kind, each optional; the key names the consent. */
export const UpdateConsentInput = CreateConsentInput.omit({ kind: true })
  .partial()
  .required({ key: true });
export type UpdateConsentInput = z.infer<typeof UpdateConsentInput>;

/**
 * Changes a consent's texts or entry events. A new text is a new version, so the proof trail
 * says which wording each customer answered (R11).
 */
export async function updateConsent({ ctx, input }: ServiceCall<UpdateConsentInput>) {
  const stored = await requireConsent(ctx, input.key);
  const current = stored.consent;
  const entryEvents =
    input.entryEvents === undefined ? current.entryEvents : canonicalEventTypes(input.entryEvents);
  checkEntryEvents(current.kind, entryEvents);
  const title = input.title ?? current.title;
  const description = input.description ?? current.description;
  const textChanged = title !== current.title || description !== current.description;
  const changed =
    textChanged || JSON.stringify(entryEvents) !== JSON.stringify(current.entryEvents);
  if (changed) {
    const version = textChanged ? current.version + 1 : current.version;
    const write = ctx.db
      .update(consent)
      .set({
        title,
        description,
        entryEvents: JSON.stringify(entryEvents),
        version,
        updatedAt: ctx.now,
      })
      .where(and(eq(consent.tenantId, ctx.tenantId), eq(consent.id, stored.id)));
    if (textChanged) {
      // The new wording is kept beside the old ones, for the proof (R11).
      await ctx.db.batch([
        write,
        ctx.db.insert(consentVersion).values({
          tenantId: ctx.tenantId,
          consentId: stored.id,
          version,
          title,
          description,
          createdAt: ctx.now,
        }),
      ]);
    } else {
      await write;
    }
  }
  return consentView(changed ? await requireConsent(ctx, input.key) : stored);
}
