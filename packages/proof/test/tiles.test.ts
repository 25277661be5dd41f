/**
 * The tile layout (C2SP tlog-tiles, height 8) and appendToTiles: the stored tiles are exactly the
 * spec's MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]) whatever the batch sizes, appends read
 * only the right edge, and a stale tree size or damaged storage is refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendToTiles,
  concatByteList,
  leafHash,
  leafHashes,
  rootOfLeaves,
  syncSha256Many,
  TileStoreError,
  tilePath,
  tileWidth,
  treeRoot,
  webCryptoSha256Many,
} from "../src/index.ts";
import { MemoryTiles, PROPERTY_RUNS, storeOf, testLeaves, toHex } from "./fixtures.ts";

/** The tiles the spec defines for the tree of `leaves`, as hex per hash, computed naively. */
function specTiles(leaves: readonly Uint8Array[]): Map<string, string[]> {
  const tiles = new Map<string, string[]>();
  for (let level = 0; 256 ** level <= leaves.length; level++) {
    const span = 256 ** level;
    const count = Math.floor(leaves.length / span);
    for (let node = 0; node < count; node++) {
      const key = `${level}/${Math.floor(node / 256)}`;
      const hash = rootOfLeaves(leaves.slice(node * span, (node + 1) * span));
      tiles.set(key, [...(tiles.get(key) ?? []), toHex(hash)]);
    }
  }
  return tiles;
}

/** The stored tiles, as hex per hash. */
function storedTiles(store: MemoryTiles): Map<string, string[]> {
  return new Map(
    [...store.rows].map(([key, bytes]) => [
      key,
      Array.from({ length: bytes.length / 32 }, (_, i) =>
        toHex(bytes.subarray(i * 32, (i + 1) * 32)),
      ),
    ]),
  );
}

describe("tile geometry", () => {
  it("matches the spec's example of a tree of 70,000 leaves", () => {
    // c2sp.org/tlog-tiles: 273 full level-0 tiles, a partial one of width 112, one full level-1
    // tile, a partial level-1 tile of width 17 and a partial level-2 tile of width 1.
    expect(tileWidth(0, 272, 70_000)).toBe(256);
    expect(tileWidth(0, 273, 70_000)).toBe(112);
    expect(tileWidth(0, 274, 70_000)).toBe(0);
    expect(tileWidth(1, 0, 70_000)).toBe(256);
    expect(tileWidth(1, 1, 70_000)).toBe(17);
    expect(tileWidth(2, 0, 70_000)).toBe(1);
    expect(tileWidth(3, 0, 70_000)).toBe(0);
  });

  it("makes C2SP tile paths", () => {
    expect(tilePath(0, 0)).toBe("tile/0/000");
    expect(tilePath(0, 273, 112)).toBe("tile/0/273.p/112");
    expect(tilePath(1, 1000)).toBe("tile/1/x001/000");
    // The spec's example: index 1234067 is x001/x234/067.
    expect(tilePath(2, 1_234_067)).toBe("tile/2/x001/x234/067");
    expect(tilePath(3, 1_234_067, 1)).toBe("tile/3/x001/x234/067.p/1");
    expect(() => tilePath(64, 0)).toThrow(RangeError);
    expect(() => tilePath(0, -1)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 257)).toThrow(RangeError);
  });
});

describe("appendToTiles", () => {
  it("stores a tree of 256 as a full level-0 tile and a level-1 tile of width 1 (spec)", async () => {
    const store = await storeOf(testLeaves(256));
    expect(store.widths()).toEqual({ "0/0": 256, "1/0": 1 });
  });

  it("stores the spec's 70,000-leaf example, appended in uneven batches", async () => {
    const store = new MemoryTiles();
    await store.appendInBatches(testLeaves(70_000), [1, 254, 1, 1, 30_000, 3, 255, 65_536]);
    const widths = store.widths();
    const level0 = Object.entries(widths).filter(([key]) => key.startsWith("0/"));
    expect(level0.filter(([, w]) => w === 256)).toHaveLength(273);
    expect(widths["0/273"]).toBe(112);
    expect(level0).toHaveLength(274);
    expect(widths["1/0"]).toBe(256);
    expect(widths["1/1"]).toBe(17);
    expect(widths["2/0"]).toBe(1);
    expect(Object.keys(widths)).toHaveLength(274 + 2 + 1);
    expect(store.size).toBe(70_000);
  });

  it("writes the spec's tiles whatever the batch sizes (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 20 }),
        async (size, batches) => {
          const leaves = testLeaves(size);
          const store = new MemoryTiles();
          await store.appendInBatches(leaves, batches);
          expect(store.size).toBe(size);
          expect(storedTiles(store)).toEqual(specTiles(leaves));
        },
      ),
      { numRuns: PROPERTY_RUNS / 4 },
    );
  });

  it("R11: with a batched SHA-256 (WebCrypto, or this package's own) it writes the same tiles", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: 1, max: 3_000 }),
        fc.constantFrom(webCryptoSha256Many, syncSha256Many),
        async (size, added, sha256Many) => {
          const store = await storeOf(testLeaves(size));
          const after = testLeaves(size + added).slice(size);
          const plain = await appendToTiles(size, after, store.read);
          const batched = await appendToTiles(size, after, store.read, { sha256Many });
          expect(batched).toEqual(plain);
        },
      ),
      // 65,000 + 1,000 completes a level-1 tile: level 2 grows.
      { numRuns: 6, examples: [[65_000, 1_000, webCryptoSha256Many]] },
    );
  }, 120_000);

  it("R11: leafHashes is leafHash of each input, in order", async () => {
    const data = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(7)];
    for (const many of [webCryptoSha256Many, syncSha256Many]) {
      expect((await leafHashes(data, many)).map(toHex)).toEqual(
        data.map((d) => toHex(leafHash(d))),
      );
    }
  });

  it("returns the full content of every changed tile and only those", async () => {
    const store = await storeOf(testLeaves(300));
    const tiles = await appendToTiles(300, testLeaves(600).slice(300), store.read);
    expect(tiles.treeSize).toBe(600);
    expect(tiles.tiles.map((t) => [`${t.level}/${t.index}`, t.hashes.length / 32])).toEqual([
      ["0/1", 256],
      ["0/2", 88],
      ["1/0", 2],
    ]);
  });

  it("reads only the right edge: one tile per growing level, none when it is empty", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: 1, max: 70_000 }),
        async (size, added) => {
          // Only the right edge is stored: a read of any other tile would find nothing and throw.
          const full = await storeOf(testLeaves(size));
          const store = new MemoryTiles();
          for (const level of [0, 1, 2]) {
            const key = `${level}/${Math.floor(Math.floor(size / 256 ** level) / 256)}`;
            const row = full.rows.get(key);
            if (row !== undefined) {
              store.rows.set(key, row);
            }
          }
          const after = testLeaves(size + added).slice(size);
          await appendToTiles(size, after, store.read);
          const expected = [0, 1, 2]
            .filter(
              (level) =>
                Math.floor((size + added) / 256 ** level) > Math.floor(size / 256 ** level) &&
                Math.floor(size / 256 ** level) % 256 > 0,
            )
            .map((level) => `${level}/${Math.floor(Math.floor(size / 256 ** level) / 256)}`);
          expect(store.reads.sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 8 },
    );
  }, 30_000);

  it("appends 300,000 leaves in one call (a first seal of a large import) without overflowing", async () => {
    // The hashes of one append were once spread into function arguments, which overflows V8's
    // stack past ~10^5 of them. The check is independent of that path: the same leaves appended
    // in batches of 1,000 must give byte-identical tiles, and the root must be the reference
    // MTH computed straight from the leaf list.
    const leaves = testLeaves(300_000);
    const once = new MemoryTiles();
    await once.append(leaves);
    const batched = new MemoryTiles();
    await batched.appendInBatches(
      leaves,
      Array.from({ length: 300 }, () => 1_000),
    );
    expect(once.size).toBe(300_000);
    expect(once.widths()).toEqual(batched.widths());
    const differing = [...batched.rows].filter(([key, row]) => {
      const other = once.rows.get(key);
      return other === undefined || other.some((byte, i) => byte !== row[i]);
    });
    expect(differing.map(([key]) => key)).toEqual([]);
    expect(toHex(await treeRoot(300_000, once.read))).toBe(toHex(rootOfLeaves(leaves)));
  }, 30_000);

  it("concatenates a list too long to spread into arguments", () => {
    const parts = Array.from({ length: 500_000 }, (_, i) => Uint8Array.of(i & 0xff));
    const joined = concatByteList(parts);
    expect(joined.length).toBe(500_000);
    expect(joined[0]).toBe(0);
    expect(joined[257]).toBe(1);
    expect(joined[499_999]).toBe(499_999 & 0xff);
    expect(concatByteList([])).toEqual(new Uint8Array(0));
  });

  it("appends nothing without reading when there is nothing to append", async () => {
    const store = await storeOf(testLeaves(10));
    store.resetReads();
    expect(await appendToTiles(10, [], store.read)).toEqual({ treeSize: 10, tiles: [] });
    expect(store.reads).toEqual([]);
  });

  it("refuses a stale tree size: the edge tile has grown since", async () => {
    const store = await storeOf(testLeaves(10));
    await expect(appendToTiles(9, testLeaves(11).slice(10), store.read)).rejects.toThrow(
      TileStoreError,
    );
    await expect(appendToTiles(9, testLeaves(11).slice(10), store.read)).rejects.toThrow(
      /tile 0\/0: holds 10 hashes, a tree of size 9 has 9/,
    );
  });

  it("refuses a tree size beyond the stored edge and a damaged tile", async () => {
    const store = await storeOf(testLeaves(10));
    await expect(appendToTiles(11, testLeaves(1), store.read)).rejects.toThrow(TileStoreError);
    await expect(appendToTiles(300, testLeaves(1), store.read)).rejects.toThrow(/missing/);
    store.rows.set("0/0", new Uint8Array(10 * 32 + 1));
    await expect(appendToTiles(10, testLeaves(1), store.read)).rejects.toThrow(/not a tile/);
  });

  it("refuses bad arguments", async () => {
    const store = new MemoryTiles();
    await expect(appendToTiles(-1, testLeaves(1), store.read)).rejects.toThrow(RangeError);
    await expect(appendToTiles(1.5, testLeaves(1), store.read)).rejects.toThrow(RangeError);
    await expect(appendToTiles(0, [new Uint8Array(31)], store.read)).rejects.toThrow(TypeError);
    await expect(appendToTiles(Number.MAX_SAFE_INTEGER, testLeaves(1), store.read)).rejects.toThrow(
      RangeError,
    );
  });
});
