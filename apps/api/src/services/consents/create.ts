import { type ConsentKind, canonicalEventTypes, type EventType } from "@lapse/consent";
import { and, eq } from "drizzle-orm";
import { consent, consentVersion } from "../../db/schema";
import { newId } from "../../ids";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { requireConsent } from "./load";
import { consentView } from "./view";

export interface CreateConsentInput {
  key: string;
  kind: ConsentKind;
  title: string;
  description?: string | undefined;
  entryEvents?: EventType[] | undefined;
}

/** Entry events belong to legal bases (R4); on an opt-in they would silently do nothing. */
export function checkEntryEvents(kind: ConsentKind, entryEvents: readonly EventType[]): void {
  if (kind === "opt_in" && entryEvents.length > 0) {
    throw new ServiceError(
      "BAD_REQUEST",
      "Only a legal_basis consent can have entry events (R4); an opt-in needs the customer's own acceptance.",
      [{ path: "entryEvents", message: "must be empty for an opt_in consent" }],
    );
  }
}

export async function create({ ctx, input }: { ctx: ServiceContext; input: CreateConsentInput }) {
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
