/**
 * Server-only helpers: they need the tenant's signing secret, which must never reach a
 * browser. Web Crypto only, so this runs in Node ≥ 22, workerd, Deno and Bun.
 */

import { PROFILE_TOKEN_MAX_TTL_SECONDS } from "@lapse/consent/limits";

/** A profile token lives at most 24 hours: the API refuses a longer one. */
export const MAX_PROFILE_TOKEN_TTL_SECONDS = PROFILE_TOKEN_MAX_TTL_SECONDS;

export interface SignProfileTokenOptions {
  /** The tenant's signing secret. */
  secret: string;
  /** Its id, sent as the JWT's `kid`. */
  kid: string;
  /** The customer the browser may read and change. */
  profileId: string;
  /** Lifetime in seconds, at most 24 h; one hour by default. */
  ttlSeconds?: number;
  /** Epoch milliseconds; the current time by default. */
  now?: number;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const encoder = new TextEncoder();

/** Mints the HS256 profile token a storefront sends in `X-Lapse-Profile-Token`. */
export async function signProfileToken(options: SignProfileTokenOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PROFILE_TOKEN_TTL_SECONDS) {
    throw new RangeError(
      `ttlSeconds must be a whole number from 1 to ${MAX_PROFILE_TOKEN_TTL_SECONDS}.`,
    );
  }
  if (options.profileId.length < 1 || options.profileId.length > 128) {
    throw new RangeError("profileId must be 1 to 128 characters.");
  }
  if (!options.secret || !options.kid) {
    throw new RangeError("secret and kid are required.");
  }
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const header = { alg: "HS256", typ: "JWT", kid: options.kid };
  const payload = { sub: options.profileId, iat, exp: iat + ttl };
  const signingInput = `${base64url(encoder.encode(JSON.stringify(header)))}.${base64url(
    encoder.encode(JSON.stringify(payload)),
  )}`;
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(signingInput)),
  );
  return `${signingInput}.${base64url(signature)}`;
}
