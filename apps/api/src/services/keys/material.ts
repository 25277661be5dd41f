// Imported by the Node CLIs too (type stripping): erasable TypeScript only.

import { SCOPES } from "@lapse/consent/words";
import { sha256Hex } from "../../hex.ts";
import { newId, randomToken } from "../../ids.ts";

// The scopes are the domain's; provisioning reads them from here.
export { SCOPES };

export type KeyKind = "secret" | "publishable";

/**
 * A secret key's scope, spelt from the list rather than inferred from the domain's zod enum: the
 * router's type (which @lapse/client's declarations bundle) then names no zod type.
 */
export type KeyScope = (typeof SCOPES)[number];

const KIND_PREFIX: Record<KeyKind, string> = { secret: "lapse_sk_", publishable: "lapse_pk_" };

/** SHA-256 of a key, hex: what the database keeps (docs/rules.md: credentials). */
export function hashKey(plaintext: string): Promise<string> {
  return sha256Hex(plaintext);
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
