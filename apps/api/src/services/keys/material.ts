// Imported by the Node CLI too (type stripping), hence the explicit `.ts` extension.
import { newId, randomToken } from "../../ids.ts";

export const SCOPES = ["admin", "profiles", "events"] as const;
export type Scope = (typeof SCOPES)[number];
export type KeyKind = "secret" | "publishable";

const KIND_PREFIX: Record<KeyKind, string> = { secret: "lapse_sk_", publishable: "lapse_pk_" };

/** SHA-256 of a key, hex: what the database keeps (SPEC §5). */
export async function hashKey(plaintext: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(plaintext));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new key: the plaintext is shown once and only its hash and a short prefix are stored. */
export async function generateKey(kind: KeyKind) {
  const plaintext = `${KIND_PREFIX[kind]}${randomToken(32)}`;
  return {
    id: newId("key"),
    plaintext,
    prefix: plaintext.slice(0, KIND_PREFIX[kind].length + 4),
    hash: await hashKey(plaintext),
  };
}

/** The per-tenant HS256 secret profile tokens are signed with, and its `kid`. */
export function generateSigningKey() {
  return { id: newId("sig"), secret: randomToken(48) };
}
