/**
 * RFC 6962 hashing, roots and proofs of the in-memory reference against the reference vectors
 * of github.com/transparency-dev/merkle (commit 417fb0c3): testonly/constants.go (leaf inputs,
 * node hashes, roots of sizes 0–8), rfc6962/rfc6962_test.go (hasher vectors) and
 * cmd/proofgen/main.go (inclusion and consistency proofs; its leaf indices are 1-based there).
 */
import { describe, expect, it } from "vitest";
import {
  consistencyProofOfLeaves,
  EMPTY_ROOT,
  inclusionProofOfLeaves,
  leafHash,
  nodeHash,
  rootOfLeaves,
  sha256,
  verifyConsistency,
  verifyInclusion,
} from "../src/index.ts";
import { hex, toHex } from "./fixtures.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** testonly.LeafInputs(). */
const LEAF_INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(hex);

/** testonly.NodeHashes(): [tree level][index] of every complete subtree of the 8 leaves. */
const NODE_HASHES = [
  [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
  ],
  [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
  ],
  [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ],
  ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/** testonly.RootHashes(): the root of the first n leaves, n = 0 … 8. */
const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/** cmd/proofgen inclusionProofs, with the leaf index made 0-based. */
const INCLUSION_PROOFS: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    index: 2,
    size: 3,
    proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
  },
  {
    index: 1,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

/** cmd/proofgen consistencyProofs. */
const CONSISTENCY_PROOFS: { oldSize: number; newSize: number; proof: string[] }[] = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

const LEAF_HASHES = LEAF_INPUTS.map(leafHash);

describe("RFC 6962 hashing", () => {
  it("matches the rfc6962 package's hasher vectors", () => {
    expect(toHex(EMPTY_ROOT)).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(toHex(sha256(new Uint8Array(0)))).toBe(toHex(EMPTY_ROOT));
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
    expect(toHex(leafHash(utf8("L123456")))).toBe(
      "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
    );
    expect(toHex(nodeHash(utf8("N123"), utf8("N456")))).toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
  });

  it("hashes the 8 reference leaves and all their complete subtrees", () => {
    expect(LEAF_HASHES.map(toHex)).toEqual(NODE_HASHES[0]);
    for (let level = 1; level < NODE_HASHES.length; level++) {
      const below = NODE_HASHES[level - 1] ?? [];
      const expected = NODE_HASHES[level] ?? [];
      expected.forEach((want, i) => {
        expect(toHex(nodeHash(hex(below[2 * i] ?? ""), hex(below[2 * i + 1] ?? "")))).toBe(want);
      });
    }
  });

  it("keeps leaves apart from nodes (second-preimage resistance) and orders children", () => {
    const a = leafHash(utf8("Hello"));
    const b = leafHash(utf8("World"));
    const node = nodeHash(a, b);
    const forged = new Uint8Array(64);
    forged.set(a);
    forged.set(b, 32);
    expect(toHex(leafHash(forged))).not.toBe(toHex(node));
    expect(toHex(nodeHash(b, a))).not.toBe(toHex(node));
  });
});

describe("the in-memory reference", () => {
  it.each(ROOTS.map((root, size) => ({ size, root })))(
    "has the reference root of the first $size leaves",
    ({ size, root }) => {
      expect(toHex(rootOfLeaves(LEAF_HASHES.slice(0, size)))).toBe(root);
    },
  );

  it.each(INCLUSION_PROOFS)(
    "makes the reference inclusion proof of leaf $index in size $size, which verifies",
    ({ index, size, proof }) => {
      const leaves = LEAF_HASHES.slice(0, size);
      const made = inclusionProofOfLeaves(index, leaves);
      expect(made.map(toHex)).toEqual(proof);
      const root = hex(ROOTS[size] ?? "");
      expect(verifyInclusion(LEAF_HASHES[index] ?? EMPTY_ROOT, index, size, made, root)).toBe(true);
    },
  );

  it.each(CONSISTENCY_PROOFS)(
    "makes the reference consistency proof $oldSize → $newSize, which verifies",
    ({ oldSize, newSize, proof }) => {
      const made = consistencyProofOfLeaves(oldSize, LEAF_HASHES.slice(0, newSize));
      expect(made.map(toHex)).toEqual(proof);
      const oldRoot = hex(ROOTS[oldSize] ?? "");
      const newRoot = hex(ROOTS[newSize] ?? "");
      expect(verifyConsistency(oldSize, newSize, made, oldRoot, newRoot)).toBe(true);
    },
  );

  it("refuses proofs outside the tree", () => {
    expect(() => inclusionProofOfLeaves(3, LEAF_HASHES.slice(0, 3))).toThrow(RangeError);
    expect(() => inclusionProofOfLeaves(0, [])).toThrow(RangeError);
    expect(() => consistencyProofOfLeaves(0, LEAF_HASHES)).toThrow(RangeError);
    expect(() => consistencyProofOfLeaves(9, LEAF_HASHES)).toThrow(RangeError);
  });
});
