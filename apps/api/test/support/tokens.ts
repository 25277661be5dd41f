import type { TestTenant } from "./factories.ts";

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  return btoa(String.fromCharCode(...raw))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * A JWT with any header: the tests forge tokens the API must refuse. Written here rather than
 * with @lapse/client's signer, which refuses to mint most of them.
 */
export async function jwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | null,
): Promise<string> {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  if (secret === null) {
    return `${signingInput}.`;
  }
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

/** A profile token as a brand's back end would mint it (valid for one hour unless told). */
export function profileToken(
  tenant: TestTenant,
  profileId: string,
  overrides: { secret?: string; kid?: string; exp?: number } = {},
): Promise<string> {
  return jwt(
    { alg: "HS256", typ: "JWT", kid: overrides.kid ?? tenant.signingKid },
    { sub: profileId, exp: overrides.exp ?? Math.floor(Date.now() / 1000) + 3600 },
    overrides.secret ?? tenant.signingSecret,
  );
}
