/**
 * Proof verification, RFC 9162 §2.1.3.2 and §2.1.4.2, for clients that hold only a checkpoint.
 * The inputs come from the network, so every function here is total: malformed input (a hash
 * that is not 32 bytes, a non-integer size, an index outside the tree) is `false`, never a throw.
 *
 * Sizes are JavaScript numbers up to 2^53 − 1, so bit operations (32-bit in JavaScript) are
 * written as division and remainder by 2.
 */
import { bytesEqual } from "./bytes.ts";
import { isHash, isTreeSize, nodeHash } from "./hash.ts";

/** True when every element is a 32-byte hash (and the value is an array at all). */
function isHashList(value: unknown): value is readonly Uint8Array[] {
  return Array.isArray(value) && value.every(isHash);
}

/** LSB(n) of RFC 9162, for sizes past 2^32 (JavaScript's `&` is 32-bit). */
const isOdd = (n: number): boolean => n % 2 === 1;
/** n >> 1 of RFC 9162, for sizes past 2^32. */
const half = (n: number): number => Math.floor(n / 2);

/**
 * True when `proof` shows that `leafHash` is leaf `index` of the tree of `treeSize` leaves whose
 * root is `root` (RFC 9162 §2.1.3.2). The proof is leaf-to-root, as `inclusionProof` makes it.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(leafHash) || !isHash(root) || !isHashList(proof)) {
    return false;
  }
  if (!isTreeSize(index) || !isTreeSize(treeSize) || index >= treeSize) {
    return false;
  }
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) {
      return false;
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * True when `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of
 * the tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2): the log only appended.
 * Equal sizes need an empty proof and equal roots. `oldSize` 0 is refused, as transparency-dev
 * does: every tree extends the empty one, so such a "proof" proves nothing, and a client with no
 * earlier checkpoint has nothing to check.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isHash(oldRoot) || !isHash(newRoot) || !isHashList(proof)) {
    return false;
  }
  if (!isTreeSize(oldSize) || !isTreeSize(newSize) || oldSize === 0 || oldSize > newSize) {
    return false;
  }
  if (oldSize === newSize) {
    return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  }
  if (proof.length === 0) {
    return false;
  }
  // Step 2: when the old tree is a perfect subtree, its root is the proof's implicit first node.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = path;
  if (first === undefined) {
    return false;
  }
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) {
      return false;
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

/** True for 1, 2, 4, 8, …; sizes up to 2^53 make `n & (n - 1)` unusable. */
function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) {
    k *= 2;
  }
  return k === n;
}
