import { ConsentKey, ConsentKind, canonicalEventTypes, WellFormedText } from "@lapse/consent";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { consent, consentVersion } from "../../db/schema.ts";
import { newId } from "../../ids.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { ConsentTitle, EventTypeList } from "../input-fields.ts";
import { checkEntryEvents } from "./entry-events.ts";
import { requireConsent } from "./load.ts";
import { consentView } from "./view.ts";

export const CreateConsentInput = z.strictObject({
  key: ConsentKey,
  kind: ConsentKind,
  title: ConsentTitle,
  description: WellFormedText(0, 4000).optional(),
  entryEvents: EventTypeList.optional(),
});
export type CreateConsentInput = z.infer<typeof CreateConsentInput>;

/** A new catalogue entry, version 1. Keys are never reused, even once archived. */
export async function createConsent({ ctx, input }: ServiceCall<CreateConsentInput>) {
  const entryEvents = canonicalEventTypes(input.entryEvents ?? []);
  checkEntryEvents(input.kind, entryEvents);
  const existing = await ctx.db
    .select({ id: consent.id })
    .from(consent)
    .where(and(eq(consent.tenantId, ctx.tenantId), eq(consent.key, input.key)))
    .get();
  if (existing) {
    throw new ServiceError(
      "CONFLICT",
      `A consent '${input.key}' already exists (keys are never reused, even once archived).`,
    );
  }
  const id = newId("con");
  const title = input.title;
  const description = input.description ?? "";
  await ctx.db.batch([
    ctx.db.insert(consent).values({
      id,
      // The next consent number, in the same statement (one writer at a time in D1).
      num: sql`(SELECT coalesce(max(num), 0) + 1 FROM consent)`,
      tenantId: ctx.tenantId,
      key: input.key,
      kind: input.kind,
      title,
      description,
      version: 1,
      entryEvents: JSON.stringify(entryEvents),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
    // The wording of version 1, for the proof (R11).
    ctx.db.insert(consentVersion).values({
      tenantId: ctx.tenantId,
      consentId: id,
      version: 1,
      title,
      description,
      createdAt: ctx.now,
    }),
  ]);
  return consentView(await requireConsent(ctx, input.key));
}
