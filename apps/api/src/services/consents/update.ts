import { canonicalEventTypes, type EventType } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { consent } from "../../db/schema";
import type { ServiceContext } from "../context";
import { checkEntryEvents } from "./create";
import { requireConsent } from "./load";
import { consentView } from "./view";

export interface UpdateConsentInput {
  key: string;
  title?: string | undefined;
  description?: string | undefined;
  entryEvents?: EventType[] | undefined;
}

/**
 * Changes a consent's texts or entry events. A new text is a new version, so the proof trail
 * says which wording each customer answered (R11).
 */
export async function update({ ctx, input }: { ctx: ServiceContext; input: UpdateConsentInput }) {
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
    await ctx.db
      .update(consent)
      .set({
        title,
        description,
        entryEvents: JSON.stringify(entryEvents),
        version: textChanged ? current.version + 1 : current.version,
        updatedAt: ctx.now,
      })
      .where(and(eq(consent.tenantId, ctx.tenantId), eq(consent.id, stored.id)));
  }
  return consentView(changed ? await requireConsent(ctx, input.key) : stored);
}
