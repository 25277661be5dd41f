// The transparency log's keys (R11) in the signed-note text forms of @lapse/proof, made with
// node:crypto alone, so the Node tools (vitest.config.ts, `pnpm dev`, `proof:keygen`) need no
// TypeScript transform of the workspace packages. @lapse/proof's parseSignerKey checks them.
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";

export interface GeneratedKeys {
  /** `PRIVATE+KEY+<name>+<id>+<base64>`: the PROOF_SIGNING_KEY secret. */
  signerKey: string;
  /** `<name>+<id>+<base64>`: what /.well-known/lapse-proof-key serves. */
  verifierKey: string;
  /** 32 random bytes in base64: the ERASURE_KEY secret. */
  erasureKey: string;
}

/** A new Ed25519 signer key named `name` (the checkpoint origin prefix), and an erasure key. */
export function generateProofKeys(name: string): GeneratedKeys {
  if (name === "" || /[\s+]/.test(name)) {
    throw new Error(`A key name has no spaces and no '+': ${JSON.stringify(name)}`);
  }
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  // Key id: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), in hex.
  const id = createHash("sha256")
    .update(Buffer.concat([Buffer.from(`${name}\n`, "utf8"), Buffer.of(0x01), pub]))
    .digest()
    .subarray(0, 4)
    .toString("hex");
  return {
    signerKey: `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.of(0x01), seed]).toString("base64")}`,
    verifierKey: `${name}+${id}+${Buffer.concat([Buffer.of(0x01), pub]).toString("base64")}`,
    erasureKey: randomBytes(32).toString("base64"),
  };
}

/**
 * The Worker's proof and erasure secrets for a local run (tests, e2e servers), fresh each time,
 * as `.dev.vars` or `wrangler secret put` would give them, with the checkpoint origin prefix.
 */
export function proofVars(origin: string): {
  PROOF_SIGNING_KEY: string;
  ERASURE_KEY: string;
  PROOF_ORIGIN: string;
} {
  const keys = generateProofKeys(origin);
  return { PROOF_SIGNING_KEY: keys.signerKey, ERASURE_KEY: keys.erasureKey, PROOF_ORIGIN: origin };
}
