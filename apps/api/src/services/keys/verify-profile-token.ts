import { PROFILE_TOKEN_MAX_TTL_SECONDS } from "@lapse/consent";
// Hono's JWT module is a standalone HS256 implementation, not the transport: services may use it.
import { decode, verify } from "hono/jwt";

export type ProfileTokenResult = { ok: true; profileId: string } | { ok: false; message: string };

/**
 * Verifies a profile token: an HS256 JWT with `kid` (the tenant's signing key), `sub` (the
 * profile id) and `exp` at most 24 h ahead. Any other algorithm — `none` included — is refused
 * before a key is even looked up.
 */
export async function verifyProfileToken(
  token: string,
  secretFor: (kid: string) => string | null,
  now: number,
): Promise<ProfileTokenResult> {
  let kid: string | undefined;
  try {
    const { header } = decode(token);
    if (header.alg !== "HS256") {
      return { ok: false, message: "Profile tokens must be HS256." };
    }
    kid = header.kid;
  } catch {
    return { ok: false, message: "The profile token is not a JWT." };
  }
  if (typeof kid !== "string" || kid.length === 0 || kid.length > 64) {
    return { ok: false, message: "The profile token has no `kid`." };
  }
  const secret = secretFor(kid);
  if (secret === null) {
    return { ok: false, message: "The profile token's `kid` is unknown." };
  }
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, secret, { alg: "HS256" });
  } catch {
    return { ok: false, message: "The profile token is invalid or expired." };
  }
  const { sub, exp } = payload;
  if (typeof exp !== "number" || exp * 1000 <= now) {
    return { ok: false, message: "The profile token is invalid or expired." };
  }
  if (exp * 1000 > now + (PROFILE_TOKEN_MAX_TTL_SECONDS + 60) * 1000) {
    return { ok: false, message: "A profile token may live at most 24 hours." };
  }
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 128) {
    return { ok: false, message: "The profile token has no valid `sub`." };
  }
  return { ok: true, profileId: sub };
}
