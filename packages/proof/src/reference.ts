/**
 * The RFC 9162 §2.1 definitions (MTH, PATH, PROOF) computed straight from a list of leaf hashes.
 * O(n) per call: this is the reference that the tiled versions are checked against, and a way
 * to hash a small, fully known list. It shares no code with the tiled versions on purpose.
 */
import { EMPTY_ROOT, isTreeSize, nodeHash } from "./hash.ts";

/** The largest power of two strictly below `n` (n ≥ 2): where RFC 6962 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) {
    k *= 2;
  }
  return k;
}

/** MTH(D[start:end]) over leaf hashes, as RFC 9162 §2.1.1 defines it. */
function mth(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) {
    return EMPTY_ROOT.slice();
  }
  if (n === 1) {
    const leaf = leaves[start];
    if (leaf === undefined) {
      throw new RangeError(`no leaf ${start}`);
    }
    return leaf.slice();
  }
  const k = splitPoint(n);
  return nodeHash(mth(leaves, start, start + k), mth(leaves, start + k, end));
}

/** The Merkle tree hash of a list of leaf hashes (RFC 9162 §2.1.1); EMPTY_ROOT for none. */
export function rootOfLeaves(leafHashes: readonly Uint8Array[]): Uint8Array {
  return mth(leafHashes, 0, leafHashes.length);
}

/** PATH(m, D[start:end]) of RFC 9162 §2.1.3.1, leaf-to-root; `m` is relative to `start`. */
function path(leaves: readonly Uint8Array[], m: number, start: number, end: number): Uint8Array[] {
  const n = end - start;
  if (n <= 1) {
    return [];
  }
  const k = splitPoint(n);
  if (m < k) {
    return [...path(leaves, m, start, start + k), mth(leaves, start + k, end)];
  }
  return [...path(leaves, m - k, start + k, end), mth(leaves, start, start + k)];
}

/** The inclusion proof of leaf `index` in the tree of all `leafHashes` (RFC 9162 §2.1.3.1). */
export function inclusionProofOfLeaves(
  index: number,
  leafHashes: readonly Uint8Array[],
): Uint8Array[] {
  if (!isTreeSize(index) || index >= leafHashes.length) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${leafHashes.length}`);
  }
  return path(leafHashes, index, 0, leafHashes.length);
}

/** SUBPROOF(m, D[start:end], b) of RFC 9162 §2.1.4.1; `m` is relative to `start`. */
function subproof(
  leaves: readonly Uint8Array[],
  m: number,
  start: number,
  end: number,
  b: boolean,
): Uint8Array[] {
  const n = end - start;
  if (m === n) {
    return b ? [] : [mth(leaves, start, end)];
  }
  const k = splitPoint(n);
  if (m <= k) {
    return [...subproof(leaves, m, start, start + k, b), mth(leaves, start + k, end)];
  }
  return [...subproof(leaves, m - k, start + k, end, false), mth(leaves, start, start + k)];
}

/**
 * The consistency proof from the first `oldSize` leaves to all `leafHashes` (RFC 9162
 * §2.1.4.1). Requires 0 < oldSize ≤ size: a proof from the empty tree is meaningless.
 */
export function consistencyProofOfLeaves(
  oldSize: number,
  leafHashes: readonly Uint8Array[],
): Uint8Array[] {
  if (!isTreeSize(oldSize) || oldSize === 0 || oldSize > leafHashes.length) {
    throw new RangeError(
      `no consistency proof from size ${oldSize} to size ${leafHashes.length} (needs 0 < old ≤ new)`,
    );
  }
  return subproof(leafHashes, oldSize, 0, leafHashes.length, true);
}
