/**
 * C2SP signed-note keys for Ed25519 (signature type 0x01), in the text forms the Go
 * `golang.org/x/mod/sumdb/note` package reads and writes:
 *   signer key   PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte seed)>
 *   verifier key <name>+<8 hex key id>+<base64(0x01 ‖ 32-byte public key)>
 * Ed25519 runs on WebCrypto (workerd, Node ≥ 22 and current browsers), so the private key stays
 * wherever the signer text lives (a Worker secret), never in the database.
 */
import {
  bytesEqual,
  concatBytes,
  decodeBase64,
  encodeBase64,
  hasControlCharacter,
  utf8Encode,
} from "./bytes.ts";
import { sha256 } from "./hash.ts";

/** The signed-note signature type byte of Ed25519. */
export const ED25519_TYPE = 0x01;
const ED25519 = { name: "Ed25519" } as const;
const SIGNER_PREFIX = "PRIVATE+KEY+";

/** A parsed verifier key: who signs (`name`), the 32-bit key `id`, the 32-byte public key. */
export interface VerifierKey {
  name: string;
  id: number;
  publicKey: Uint8Array;
}

/** A parsed signer key: its verifier key plus the 32-byte Ed25519 seed (the private key). */
export interface SignerKey extends VerifierKey {
  seed: Uint8Array;
}

/** Parsing a key text either gives the key or says why not. */
export type KeyResult<K> =
  | { ok: true; key: K }
  | { ok: false; error: "MALFORMED_KEY"; message: string };

/** Unicode spaces (Go's unicode.IsSpace, which JavaScript's \s misses only U+0085 of). */
const SPACE = /[\s\u0085]/u;

/**
 * True for a valid key name (C2SP signed-note): non-empty, no Unicode space, no '+', and
 * well-formed text without control characters, so it fits on a signature line.
 */
export function isValidKeyName(name: string): boolean {
  if (typeof name !== "string" || name.length === 0 || name.includes("+")) {
    return false;
  }
  if (SPACE.test(name) || hasControlCharacter(name)) {
    return false;
  }
  try {
    utf8Encode(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The key id: the first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). It names
 * the key on signature lines; it is short on purpose and is not a security boundary.
 */
export function keyId(name: string, publicKey: Uint8Array): number {
  const digest = sha256(
    concatBytes(utf8Encode(name), Uint8Array.of(0x0a, ED25519_TYPE), publicKey),
  );
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
}

/** The 8 lowercase hex digits of a key id. */
export function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, "0");
}

/** A fresh copy whose buffer is a plain ArrayBuffer, the input WebCrypto's types ask for. */
export function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** PKCS#8 of an Ed25519 seed: the fixed RFC 8410 prefix, then the 32 bytes. */
function pkcs8OfSeed(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = Uint8Array.of(
    0x30,
    0x2e,
    0x02,
    0x01,
    0x00,
    0x30,
    0x05,
    0x06,
    0x03,
    0x2b,
    0x65,
    0x70,
    0x04,
    0x22,
    0x04,
    0x20,
  );
  return concatBytes(prefix, seed);
}

/** Decodes JWK's base64url without padding, or `undefined`. */
function decodeBase64Url(text: string): Uint8Array | undefined {
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  return decodeBase64(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
}

/** Imports a 32-byte seed as a WebCrypto Ed25519 private key. */
export function importSeed(seed: Uint8Array, extractable = false): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8OfSeed(seed), ED25519, extractable, ["sign"]);
}

/** Imports a 32-byte public key as a WebCrypto Ed25519 verification key. */
export function importPublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", own(publicKey), ED25519, false, ["verify"]);
}

/** The Ed25519 public key of a seed, via the JWK export of the private key (its `x`). */
async function publicKeyOfSeed(seed: Uint8Array): Promise<Uint8Array> {
  const jwk = await crypto.subtle.exportKey("jwk", await importSeed(seed, true));
  const x =
    !(jwk instanceof ArrayBuffer) && typeof jwk.x === "string" ? decodeBase64Url(jwk.x) : undefined;
  if (x === undefined || x.length !== 32) {
    throw new Error("WebCrypto exported an Ed25519 key without a 32-byte public key");
  }
  return x;
}

/** The text of a verifier key. */
export function formatVerifierKey(key: VerifierKey): string {
  const material = concatBytes(Uint8Array.of(ED25519_TYPE), key.publicKey);
  return `${key.name}+${keyIdHex(key.id)}+${encodeBase64(material)}`;
}

/** The text of a signer key. */
export function formatSignerKey(key: SignerKey): string {
  const material = concatBytes(Uint8Array.of(ED25519_TYPE), key.seed);
  return `${SIGNER_PREFIX}${key.name}+${keyIdHex(key.id)}+${encodeBase64(material)}`;
}

/** The signer key of a name and a 32-byte seed (for a key kept elsewhere, or fixed in tests). */
export async function signerKeyFromSeed(name: string, seed: Uint8Array): Promise<SignerKey> {
  if (!isValidKeyName(name)) {
    throw new TypeError(`invalid key name ${JSON.stringify(name)}: non-empty, no spaces, no '+'`);
  }
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new TypeError("an Ed25519 seed is 32 bytes");
  }
  const publicKey = await publicKeyOfSeed(seed);
  return { name, id: keyId(name, publicKey), publicKey, seed: seed.slice() };
}

/** A new random Ed25519 key pair for `name`, as the signer and verifier key texts. */
export async function generateSignerKey(
  name: string,
): Promise<{ signerKey: string; verifierKey: string }> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const key = await signerKeyFromSeed(name, seed);
  return { signerKey: formatSignerKey(key), verifierKey: formatVerifierKey(key) };
}

/** Splits `<name>+<hex id>+<base64>` (the base64 may itself hold '+'); checks all but the id. */
function splitKey(
  text: string,
): { name: string; id: number; material: Uint8Array } | { message: string } {
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  if (second < 0) {
    return { message: "a key is <name>+<key id>+<base64 key>" };
  }
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const material = decodeBase64(text.slice(second + 1));
  if (!isValidKeyName(name)) {
    return { message: `invalid key name ${JSON.stringify(name)}` };
  }
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    return { message: "the key id is 8 lowercase hex digits" };
  }
  if (material === undefined) {
    return { message: "the key material is not standard padded base64" };
  }
  if (material[0] !== ED25519_TYPE) {
    return { message: `unsupported signature type ${material[0]} (only Ed25519, 0x01)` };
  }
  if (material.length !== 33) {
    return { message: "an Ed25519 key is 32 bytes" };
  }
  return { name, id: Number.parseInt(idHex, 16), material: material.subarray(1) };
}

/** Parses a verifier key text; refuses (as a value) one whose id does not match its key. */
export function parseVerifierKey(text: string): KeyResult<VerifierKey> {
  if (typeof text !== "string") {
    return { ok: false, error: "MALFORMED_KEY", message: "a verifier key is text" };
  }
  const parts = splitKey(text);
  if ("message" in parts) {
    return { ok: false, error: "MALFORMED_KEY", message: parts.message };
  }
  const publicKey = parts.material.slice();
  if (keyId(parts.name, publicKey) !== parts.id) {
    return { ok: false, error: "MALFORMED_KEY", message: "the key id does not match the key" };
  }
  return { ok: true, key: { name: parts.name, id: parts.id, publicKey } };
}

/** Parses a signer key text (async: the public key is derived by WebCrypto) and checks its id. */
export async function parseSignerKey(text: string): Promise<KeyResult<SignerKey>> {
  if (typeof text !== "string" || !text.startsWith(SIGNER_PREFIX)) {
    return {
      ok: false,
      error: "MALFORMED_KEY",
      message: `a signer key starts with ${SIGNER_PREFIX}`,
    };
  }
  const parts = splitKey(text.slice(SIGNER_PREFIX.length));
  if ("message" in parts) {
    return { ok: false, error: "MALFORMED_KEY", message: parts.message };
  }
  const key = await signerKeyFromSeed(parts.name, parts.material);
  if (key.id !== parts.id) {
    return { ok: false, error: "MALFORMED_KEY", message: "the key id does not match the key" };
  }
  return { ok: true, key };
}

/** A signer key given as text or parsed; throws TypeError on bad text (it is configuration). */
export async function toSignerKey(signerKey: string | SignerKey): Promise<SignerKey> {
  if (typeof signerKey !== "string") {
    return signerKey;
  }
  const parsed = await parseSignerKey(signerKey);
  if (!parsed.ok) {
    throw new TypeError(`invalid signer key: ${parsed.message}`);
  }
  return parsed.key;
}

/** The verifier key text that checks the signatures of `signerKey`. */
export async function verifierKeyFromSigner(signerKey: string | SignerKey): Promise<string> {
  const key = await toSignerKey(signerKey);
  return formatVerifierKey({ name: key.name, id: key.id, publicKey: key.publicKey });
}

/** True when two verifier keys are the same key (name, id and public key). */
export function sameVerifierKey(a: VerifierKey, b: VerifierKey): boolean {
  return a.name === b.name && a.id === b.id && bytesEqual(a.publicKey, b.publicKey);
}
