import { describe, expect, it } from "vitest";
import { signProfileToken } from "../../src/server.ts";

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));
}

describe("signProfileToken", () => {
  it("mints an HS256 JWT with kid, sub and exp = now + ttl", async () => {
    const token = await signProfileToken({
      secret: "s3cret",
      kid: "sig_1",
      profileId: "cust-1",
      ttlSeconds: 600,
      now: 1_700_000_000_000,
    });
    const [header, payload, signature] = token.split(".");
    expect(decode(header)).toEqual({ alg: "HS256", typ: "JWT", kid: "sig_1" });
    expect(decode(payload)).toEqual({ sub: "cust-1", iat: 1_700_000_000, exp: 1_700_000_600 });
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode("s3cret"),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    const valid = await crypto.subtle.verify(
      "HMAC",
      key,
      Buffer.from(signature ?? "", "base64url"),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    expect(valid).toBe(true);
  });

  it.each([
    [{ ttlSeconds: 86_401 }, /ttlSeconds/],
    [{ ttlSeconds: 0 }, /ttlSeconds/],
    [{ profileId: "" }, /profileId/],
    [{ profileId: "x".repeat(129) }, /profileId/],
  ])("refuses %o: the credential limits", async (override, message) => {
    await expect(
      signProfileToken({ secret: "s", kid: "k", profileId: "p", ...override }),
    ).rejects.toThrow(message);
  });
});
