import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** Every hash of the log is a SHA-256 digest of this many bytes. */
export const HASH_SIZE = 32;

/** SHA-256 of `bytes`, synchronously (WebCrypto's digest is async, and trees hash a lot). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/**
 * The root of the empty tree, SHA-256 of no bytes (RFC 6962 §2.1). Shared: never mutate it;
 * functions of this package return copies.
 */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** The bytes a leaf hash digests: 0x00 ‖ data (RFC 6962 §2.1; the prefix keeps leaves apart from nodes). */
export function leafInput(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const input = new Uint8Array(1 + data.length);
  input[0] = 0x00;
  input.set(data, 1);
  return input;
}

/** The bytes a node hash digests: 0x01 ‖ left ‖ right. */
export function nodeInput(left: Uint8Array, right: Uint8Array): Uint8Array<ArrayBuffer> {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return input;
}

/** RFC 6962 leaf hash, SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Uint8Array {
  return nobleSha256(leafInput(data));
}

/** RFC 6962 interior node hash, SHA-256(0x01 ‖ left ‖ right), of two 32-byte child hashes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return nobleSha256(nodeInput(left, right));
}

/** True for a value that can be a hash of this log: a 32-byte Uint8Array. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** True for a tree size or index that a JavaScript number holds exactly (0 … 2^53 − 1). */
export function isTreeSize(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Many SHA-256 digests at once. Trees hash in bulk (a seal integrates thousands of entries), and
 * where WebCrypto is native (Workers) one `crypto.subtle.digest` per input, all awaited together,
 * costs a fraction of hashing in JavaScript; `syncSha256Many` is the same in this package's own
 * SHA-256, for callers with no WebCrypto.
 */
export type Sha256Many = (inputs: readonly Uint8Array[]) => Promise<Uint8Array[]>;

export const syncSha256Many: Sha256Many = async (inputs) =>
  inputs.map((input) => nobleSha256(input));

export const webCryptoSha256Many: Sha256Many = (inputs) =>
  Promise.all(
    inputs.map(async (input) => {
      // WebCrypto takes ArrayBuffer-backed views only; ours are, a shared one is copied.
      const view =
        input.buffer instanceof ArrayBuffer
          ? (input as Uint8Array<ArrayBuffer>)
          : new Uint8Array(input);
      return new Uint8Array(await crypto.subtle.digest("SHA-256", view));
    }),
  );

/** RFC 6962 leaf hashes of many entries' bytes, with `many`. */
export function leafHashes(data: readonly Uint8Array[], many: Sha256Many): Promise<Uint8Array[]> {
  return many(data.map(leafInput));
}
