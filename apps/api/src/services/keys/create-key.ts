import { InstantText, isWellFormedText, SCOPES, Scope, WELL_FORMED_MESSAGE } from "@lapse/consent";
import { z } from "zod";
import { apiKey } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { generateKey } from "./material.ts";
import { keyView } from "./view.ts";

export const CreateKeyInput = z.strictObject({
  kind: z.enum(["secret", "publishable"]),
  name: z.string().trim().min(1).max(100).refine(isWellFormedText, WELL_FORMED_MESSAGE),
  scopes: z.array(Scope).max(SCOPES.length).optional(),
  /** For rotation overlap: the key stops working at this instant. */
  expiresAt: InstantText.optional(),
});
export type CreateKeyInput = z.infer<typeof CreateKeyInput>;

/** Creates a key of this tenant. The answer holds the key itself, the only time it is shown. */
export async function createKey({ ctx, input }: ServiceCall<CreateKeyInput>) {
  const scopes = [...new Set(input.scopes ?? [])];
  if (input.kind === "secret" && scopes.length === 0) {
    throw new ServiceError("BAD_REQUEST", "A secret key needs at least one scope.", [
      { path: "scopes", message: `choose among ${SCOPES.join(", ")}` },
    ]);
  }
  if (input.kind === "publishable" && scopes.length > 0) {
    throw new ServiceError(
      "BAD_REQUEST",
      "A publishable key has no scopes: it reads the catalogue and, with a profile token, one profile.",
      [{ path: "scopes", message: "must be empty for a publishable key" }],
    );
  }
  if (input.expiresAt !== undefined && input.expiresAt <= ctx.now) {
    throw new ServiceError("BAD_REQUEST", "A key cannot expire in the past.", [
      { path: "expiresAt", message: "must be in the future" },
    ]);
  }
  const key = await generateKey(input.kind);
  const row = {
    id: key.id,
    tenantId: ctx.tenantId,
    kind: input.kind,
    scopes: JSON.stringify(scopes),
    name: input.name,
    prefix: key.prefix,
    hash: key.hash,
    createdAt: ctx.now,
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
  };
  await ctx.db.insert(apiKey).values(row);
  return { ...keyView(row), key: key.plaintext };
}
