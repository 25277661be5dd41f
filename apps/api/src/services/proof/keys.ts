import {
  decodeBase64,
  decodeHex,
  formatVerifierKey,
  parseSignerKey,
  parseVerifierKey,
  type SignerKey,
} from "@lapse/proof";

/**
 * The keys of the transparency log (R11) and of erasure (R13), read from the Worker's secrets
 * once per env object. None of them is ever in the database:
 * - `PROOF_SIGNING_KEY` (secret): the Ed25519 signer key, in the signed-note text form
 *   `PRIVATE+KEY+<name>+<id>+<base64>` (`pnpm --filter @lapse/api proof:keygen` prints one);
 * - `PROOF_VERIFIER_KEYS` (optional var or secret): verifier keys of earlier signing keys,
 *   newline- or comma-separated, still listed at /.well-known/lapse-proof-key after a rotation;
 * - `ERASURE_KEY` (secret): ≥ 32 random bytes in base64 or hex, the key of the tenant-keyed HMAC
 *   that remembers an erased profile id without keeping it;
 * - `PROOF_ORIGIN` (var): the checkpoint origin prefix; a tenant's log is `<PROOF_ORIGIN>/<id>`.
 *
 * Building the object never throws, so a missing proof key does not stop consent writes; each
 * key is checked when first used, and a missing or malformed one fails that use with a
 * ProofKeyError naming the secret and how to set it.
 */

/** The origin prefix when PROOF_ORIGIN is not set. */
export const DEFAULT_PROOF_ORIGIN = "lapse.example";

/** The smallest ERASURE_KEY, in bytes. */
export const MIN_ERASURE_KEY_BYTES = 32;

/** A proof or erasure key is missing or malformed: configuration, not input. */
export class ProofKeyError extends Error {
  override readonly name = "ProofKeyError";
}

export interface ProofKeys {
  /** PROOF_ORIGIN (or the default): the prefix of every tenant's checkpoint origin. */
  readonly originPrefix: string;
  /**
   * The checkpoint origin of a tenant's log: `<PROOF_ORIGIN>/<tenant id>` for its slot 0 (a
   * tenant on one shard has only that log), `<PROOF_ORIGIN>/<tenant id>/<slot>` for the log of
   * each further slot (docs/scaling.md). Slot 0 keeps its origin when the tenant grows.
   */
  origin(tenantId: string, slot?: number): string;
  /** The parsed PROOF_SIGNING_KEY; rejects with a ProofKeyError when it is missing or bad. */
  signer(): Promise<SignerKey>;
  /** The verifier key text of the current signing key. */
  verifierKey(): Promise<string>;
  /** The current verifier key first, then the older ones of PROOF_VERIFIER_KEYS (deduplicated). */
  verifierKeys(): Promise<string[]>;
  /** The ERASURE_KEY bytes (≥ 32); throws a ProofKeyError when it is missing or bad. */
  erasureKey(): Uint8Array;
}

/** The texts the keys are read from (a Worker env has them; the CLI passes its own). */
export interface ProofKeyTexts {
  PROOF_SIGNING_KEY?: string | undefined;
  PROOF_VERIFIER_KEYS?: string | undefined;
  ERASURE_KEY?: string | undefined;
  PROOF_ORIGIN?: string | undefined;
}

const HOW_TO_SET = {
  PROOF_SIGNING_KEY:
    "generate one with `pnpm --filter @lapse/api proof:keygen`, then `wrangler secret put PROOF_SIGNING_KEY` (locally, `pnpm dev` writes it to apps/api/.dev.vars)",
  ERASURE_KEY:
    "generate one with `pnpm --filter @lapse/api proof:keygen` (or `openssl rand -base64 32`), then `wrangler secret put ERASURE_KEY` (locally, `pnpm dev` writes it to apps/api/.dev.vars)",
  PROOF_VERIFIER_KEYS:
    "list the verifier keys of earlier signing keys (`<name>+<id>+<base64>`), one a line or comma-separated",
} as const;

function missing(name: keyof typeof HOW_TO_SET): ProofKeyError {
  return new ProofKeyError(`The Worker secret ${name} is not set: ${HOW_TO_SET[name]}.`);
}

function malformed(name: keyof typeof HOW_TO_SET, why: string): ProofKeyError {
  return new ProofKeyError(`The Worker secret ${name} is malformed (${why}): ${HOW_TO_SET[name]}.`);
}

/** Verifier key texts separated by newlines or commas, each checked; throws ProofKeyError. */
export function parseVerifierKeyList(text: string | undefined, source: string): string[] {
  const keys: string[] = [];
  for (const item of (text ?? "").split(/[\n,]/)) {
    const trimmed = item.trim();
    if (trimmed === "") {
      continue;
    }
    const parsed = parseVerifierKey(trimmed);
    if (!parsed.ok) {
      throw new ProofKeyError(
        `${source} holds a text that is not a verifier key (${parsed.message}): ${HOW_TO_SET.PROOF_VERIFIER_KEYS}.`,
      );
    }
    keys.push(formatVerifierKey(parsed.key));
  }
  return keys;
}

/** The bytes of an ERASURE_KEY text (base64 or hex, ≥ 32 bytes); throws ProofKeyError. */
export function parseErasureKey(text: string | undefined): Uint8Array {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") {
    throw missing("ERASURE_KEY");
  }
  const bytes = /^[0-9a-fA-F]+$/.test(trimmed) ? decodeHex(trimmed) : decodeBase64(trimmed);
  if (bytes === undefined) {
    throw malformed("ERASURE_KEY", "neither hex nor standard padded base64");
  }
  if (bytes.length < MIN_ERASURE_KEY_BYTES) {
    throw malformed(
      "ERASURE_KEY",
      `${bytes.length} bytes; it needs at least ${MIN_ERASURE_KEY_BYTES} random bytes`,
    );
  }
  return bytes;
}

/** Parses PROOF_SIGNING_KEY; rejects with a ProofKeyError that says how to set it. */
export async function parseSigningKey(text: string | undefined): Promise<SignerKey> {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") {
    throw missing("PROOF_SIGNING_KEY");
  }
  let parsed: Awaited<ReturnType<typeof parseSignerKey>>;
  try {
    parsed = await parseSignerKey(trimmed);
  } catch (error) {
    throw malformed("PROOF_SIGNING_KEY", (error as Error).message);
  }
  if (!parsed.ok) {
    throw malformed("PROOF_SIGNING_KEY", parsed.message);
  }
  return parsed.key;
}

/** The checkpoint origin prefix: PROOF_ORIGIN without trailing slashes, or the default. */
export function originPrefixOf(text: string | undefined): string {
  const prefix = (text ?? "").trim().replace(/\/+$/, "");
  if (prefix === "") {
    return DEFAULT_PROOF_ORIGIN;
  }
  // The origin is the first line of a checkpoint: no control character, no space.
  if (/[\s\p{Cc}]/u.test(prefix)) {
    throw new ProofKeyError(
      `The var PROOF_ORIGIN ${JSON.stringify(prefix)} holds a space or a control character; set it to a host-like name such as "lapse.example.com" in wrangler.jsonc.`,
    );
  }
  return prefix;
}

/** The checkpoint origin of a tenant's log of one slot: `<prefix>/<tenant>`, then `/<slot>`. */
export function logOrigin(prefix: string, tenantId: string, slot: number): string {
  return slot === 0 ? `${prefix}/${tenantId}` : `${prefix}/${tenantId}/${slot}`;
}

/** The keys of these texts, each parsed on first use and then kept. */
export function buildProofKeys(texts: ProofKeyTexts): ProofKeys {
  let prefix: string | undefined;
  let signer: Promise<SignerKey> | undefined;
  let verifiers: Promise<string[]> | undefined;
  let erasure: Uint8Array | undefined;
  const keys: ProofKeys = {
    get originPrefix() {
      prefix ??= originPrefixOf(texts.PROOF_ORIGIN);
      return prefix;
    },
    origin: (tenantId, slot = 0) => logOrigin(keys.originPrefix, tenantId, slot),
    signer() {
      signer ??= parseSigningKey(texts.PROOF_SIGNING_KEY);
      return signer;
    },
    async verifierKey() {
      const key = await keys.signer();
      return formatVerifierKey({ name: key.name, id: key.id, publicKey: key.publicKey });
    },
    verifierKeys() {
      verifiers ??= (async () => {
        const current = await keys.verifierKey();
        const older = parseVerifierKeyList(texts.PROOF_VERIFIER_KEYS, "PROOF_VERIFIER_KEYS");
        return [...new Set([current, ...older])];
      })();
      return verifiers;
    },
    erasureKey() {
      erasure ??= parseErasureKey(texts.ERASURE_KEY);
      return erasure;
    },
  };
  return keys;
}

const built = new WeakMap<object, ProofKeys>();

/** The proof keys of an env object, built once per env (an isolate keeps one env). */
export function proofKeysOf(env: ProofKeyTexts & object): ProofKeys {
  let keys = built.get(env);
  if (!keys) {
    keys = buildProofKeys(env);
    built.set(env, keys);
  }
  return keys;
}
