/**
 * Roots and proofs computed from tiles equal the in-memory RFC 9162 reference, for every tree size
 * up to the stored one (older checkpoints), across tile boundaries (255/256/257 and
 * 65535/65536/65537), and they verify; each call reads O(log n) tiles, each at most once.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  consistencyProof,
  consistencyProofOfLeaves,
  EMPTY_ROOT,
  inclusionProof,
  inclusionProofOfLeaves,
  rootOfLeaves,
  TileStoreError,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from "../src/index.ts";
import { flipBit, MemoryTiles, PROPERTY_RUNS, storeOf, testLeaves, toHex } from "./fixtures.ts";

const hexes = (hashes: readonly Uint8Array[]) => hashes.map(toHex);

/** Tile levels a tree of `size` leaves has (1 for ≤ 255 leaves, 2 up to 65535, …). */
function tileLevels(size: number): number {
  let levels = 1;
  while (256 ** levels <= size) {
    levels++;
  }
  return levels;
}

/** The reads of one call: each tile at most once, at most `perLevel` per tile level. */
function expectFewReads(store: MemoryTiles, size: number, perLevel: number): void {
  expect(new Set(store.reads).size).toBe(store.reads.length);
  expect(store.reads.length).toBeLessThanOrEqual(perLevel * tileLevels(size));
  store.resetReads();
}

describe("small trees, exhaustively", () => {
  const leaves = testLeaves(40);
  let store: MemoryTiles;
  beforeAll(async () => {
    store = await storeOf(leaves);
  });

  it("has the reference root for every size, read from the tiles of the largest", async () => {
    for (let size = 0; size <= leaves.length; size++) {
      expect(toHex(await treeRoot(size, store.read))).toBe(
        toHex(rootOfLeaves(leaves.slice(0, size))),
      );
    }
  });

  it("has the reference inclusion proof of every leaf in every size", async () => {
    for (let size = 1; size <= leaves.length; size++) {
      const prefix = leaves.slice(0, size);
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(index, size, store.read);
        expect(hexes(proof)).toEqual(hexes(inclusionProofOfLeaves(index, prefix)));
      }
    }
  });

  it("has the reference consistency proof between every two sizes", async () => {
    for (let newSize = 1; newSize <= leaves.length; newSize++) {
      const prefix = leaves.slice(0, newSize);
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const proof = await consistencyProof(oldSize, newSize, store.read);
        expect(hexes(proof)).toEqual(hexes(consistencyProofOfLeaves(oldSize, prefix)));
      }
    }
  });

  it("refuses what has no proof", async () => {
    await expect(inclusionProof(5, 5, store.read)).rejects.toThrow(RangeError);
    await expect(inclusionProof(0, 0, store.read)).rejects.toThrow(RangeError);
    await expect(inclusionProof(-1, 5, store.read)).rejects.toThrow(RangeError);
    await expect(consistencyProof(0, 5, store.read)).rejects.toThrow(RangeError);
    await expect(consistencyProof(6, 5, store.read)).rejects.toThrow(RangeError);
    await expect(treeRoot(1.5, store.read)).rejects.toThrow(RangeError);
    expect(hexes(await consistencyProof(5, 5, store.read))).toEqual([]);
    expect(toHex(await treeRoot(0, store.read))).toBe(toHex(EMPTY_ROOT));
  });

  it("says which tile is missing or too short instead of answering wrongly", async () => {
    await expect(treeRoot(41, store.read)).rejects.toThrow(TileStoreError);
    await expect(treeRoot(41, store.read)).rejects.toThrow(/tile 0\/0: holds 40 hashes, 41 needed/);
    const empty = new MemoryTiles();
    await expect(inclusionProof(0, 2, empty.read)).rejects.toThrow(/tile 0\/0: missing/);
  });
});

describe("random trees built in random batches (property)", () => {
  const tree = fc
    .record({
      stored: fc.integer({ min: 1, max: 3_000 }),
      batches: fc.array(fc.integer({ min: 1, max: 800 }), { maxLength: 12 }),
      picks: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
        minLength: 4,
        maxLength: 4,
      }),
    })
    .map(({ stored, batches, picks: [a = 0, b = 0, c = 0, d = 0] }) => {
      const size = 1 + Math.floor(a * stored);
      return {
        stored,
        batches,
        size,
        index: Math.floor(b * size),
        oldSize: 1 + Math.floor(c * size),
        bit: Math.floor(d * 256),
      };
    });

  it("roots and proofs from tiles equal the reference and verify; tampering fails", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async ({ stored, batches, size, index, oldSize, bit }) => {
        const leaves = testLeaves(stored);
        const store = new MemoryTiles();
        await store.appendInBatches(leaves, batches);
        store.resetReads();
        const prefix = leaves.slice(0, size);
        const root = rootOfLeaves(prefix);
        const oldRoot = rootOfLeaves(prefix.slice(0, oldSize));

        expect(toHex(await treeRoot(size, store.read))).toBe(toHex(root));
        expectFewReads(store, size, 1);

        const proof = await inclusionProof(index, size, store.read);
        expectFewReads(store, size, 2);
        expect(hexes(proof)).toEqual(hexes(inclusionProofOfLeaves(index, prefix)));
        const leaf = prefix[index] ?? EMPTY_ROOT;
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(flipBit(leaf, bit % 32, bit % 8), index, size, proof, root)).toBe(
          false,
        );
        if (proof.length > 0) {
          const at = bit % proof.length;
          const tampered = proof.map((p, i) => (i === at ? flipBit(p, bit % 32, bit % 8) : p));
          expect(verifyInclusion(leaf, index, size, tampered, root)).toBe(false);
        }
        if (size > 1) {
          expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root)).toBe(false);
        }

        const cproof = await consistencyProof(oldSize, size, store.read);
        expectFewReads(store, size, 2);
        expect(hexes(cproof)).toEqual(hexes(consistencyProofOfLeaves(oldSize, prefix)));
        expect(verifyConsistency(oldSize, size, cproof, oldRoot, root)).toBe(true);
        if (cproof.length > 0) {
          const at = bit % cproof.length;
          const tampered = cproof.map((p, i) => (i === at ? flipBit(p, bit % 32, bit % 8) : p));
          expect(verifyConsistency(oldSize, size, tampered, oldRoot, root)).toBe(false);
        }
        expect(verifyConsistency(oldSize, size, cproof, flipBit(oldRoot, bit % 32), root)).toBe(
          false,
        );
      }),
      { numRuns: PROPERTY_RUNS / 2 },
    );
  }, 60_000);
});

describe("at the level-0 tile boundary (255, 256, 257)", () => {
  const leaves = testLeaves(520);
  let store: MemoryTiles;
  beforeAll(async () => {
    store = new MemoryTiles();
    await store.appendInBatches(leaves, [255, 1, 1, 254, 2]);
  });

  it.each([255, 256, 257, 511, 512, 513])(
    "size %i: root, and proofs of the leaves around the boundary",
    async (size) => {
      const prefix = leaves.slice(0, size);
      const root = rootOfLeaves(prefix);
      expect(toHex(await treeRoot(size, store.read))).toBe(toHex(root));
      for (const index of [0, 127, 254, 255, 256, 257, 510, 511, 512].filter((i) => i < size)) {
        const proof = await inclusionProof(index, size, store.read);
        expect(hexes(proof)).toEqual(hexes(inclusionProofOfLeaves(index, prefix)));
        expect(verifyInclusion(prefix[index] ?? EMPTY_ROOT, index, size, proof, root)).toBe(true);
      }
      for (const oldSize of [1, 255, 256, 257, 511, 512].filter((s) => s <= size)) {
        const proof = await consistencyProof(oldSize, size, store.read);
        expect(hexes(proof)).toEqual(hexes(consistencyProofOfLeaves(oldSize, prefix)));
        const oldRoot = rootOfLeaves(prefix.slice(0, oldSize));
        expect(verifyConsistency(oldSize, size, proof, oldRoot, root)).toBe(true);
      }
    },
  );
});

describe("at the level-1 tile boundary (65535, 65536, 65537)", () => {
  const SIZES = [65_535, 65_536, 65_537];
  const leaves = testLeaves(65_540);
  const roots = new Map<number, Uint8Array>();
  const rootOf = (size: number) => {
    const known = roots.get(size);
    if (known !== undefined) {
      return known;
    }
    const root = rootOfLeaves(leaves.slice(0, size));
    roots.set(size, root);
    return root;
  };

  it("builds the same tiles in random batches, with the reference roots (property)", async () => {
    const expected = SIZES.map((size) => toHex(rootOf(size)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 30 }),
        async (batches) => {
          const store = new MemoryTiles();
          // Stop at each boundary size on the way, as a sealing job might.
          await store.appendInBatches(leaves.slice(0, 65_535), batches);
          await store.append(leaves.slice(65_535, 65_536));
          await store.append(leaves.slice(65_536, 65_540));
          expect(store.widths()["2/0"]).toBe(1);
          const got = [];
          for (const size of SIZES) {
            got.push(toHex(await treeRoot(size, store.read)));
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 3 },
    );
  }, 60_000);

  it("proves inclusion and consistency across the boundary from few tiles", async () => {
    const store = new MemoryTiles();
    await store.appendInBatches(leaves, [65_535, 1, 1]);
    store.resetReads();
    for (const size of SIZES) {
      const root = rootOf(size);
      for (const index of [0, 255, 256, 65_279, 65_280, 65_534, 65_535, 65_536].filter(
        (i) => i < size,
      )) {
        const proof = await inclusionProof(index, size, store.read);
        expectFewReads(store, size, 2);
        expect(verifyInclusion(leaves[index] ?? EMPTY_ROOT, index, size, proof, root)).toBe(true);
      }
      for (const oldSize of [1, 256, 65_535, 65_536].filter((s) => s <= size)) {
        const proof = await consistencyProof(oldSize, size, store.read);
        expectFewReads(store, size, 2);
        expect(verifyConsistency(oldSize, size, proof, rootOf(oldSize), root)).toBe(true);
      }
    }
    // And the tiled proofs are the reference ones (checked on a few: the reference is O(n)).
    const prefix = leaves.slice(0, 65_537);
    expect(hexes(await inclusionProof(65_536, 65_537, store.read))).toEqual(
      hexes(inclusionProofOfLeaves(65_536, prefix)),
    );
    expect(hexes(await inclusionProof(300, 65_537, store.read))).toEqual(
      hexes(inclusionProofOfLeaves(300, prefix)),
    );
    expect(hexes(await consistencyProof(65_535, 65_537, store.read))).toEqual(
      hexes(consistencyProofOfLeaves(65_535, prefix)),
    );
  }, 60_000);
});
