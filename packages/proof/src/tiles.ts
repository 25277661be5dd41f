/**
 * The log's storage shape: C2SP tlog-tiles of height 8. The level-L tile N holds the hashes of
 * the tree level 8·L nodes N·256 … N·256+255: level 0 the leaf hashes, level 1 the roots of full
 * level-0 tiles, and so on. A tile is stored as its hashes concatenated (32 bytes each); the last
 * tile of a level may be partial (1–255 hashes) and is rewritten as it grows.
 *
 * Invariant the proofs rely on: a hash, once in a tile, never changes (a level-L hash is the root
 * of a full 256^L-leaf subtree). So the stored tile of a larger tree holds the tile of any smaller
 * tree as a prefix, and proofs for an older tree size can read today's tiles.
 */
import { concatByteList } from "./bytes.ts";
import { HASH_SIZE, isHash, isTreeSize, nodeHash, nodeInput, type Sha256Many } from "./hash.ts";

/** Tree levels per tile: a tile is a subtree of height 8. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (2^TILE_HEIGHT), 8,192 bytes. */
export const TILE_WIDTH = 256;

/** One tile as stored: `hashes` is `width` 32-byte hashes concatenated, 1 ≤ width ≤ 256. */
export interface Tile {
  level: number;
  index: number;
  hashes: Uint8Array;
}

/**
 * Reads the stored hashes of tile (level, index), possibly partial; `null`/`undefined` when no
 * such row exists. Asynchronous because the caller reads D1.
 */
export type ReadTile = (level: number, index: number) => Promise<Uint8Array | null | undefined>;

/** The stored tiles disagree with the tree size they were read for (missing, short or grown). */
export class TileStoreError extends Error {
  override readonly name = "TileStoreError";
  constructor(
    readonly level: number,
    readonly index: number,
    message: string,
  ) {
    super(`tile ${level}/${index}: ${message}`);
  }
}

/** 256^level, exact in floating point for every level a safe-integer tree reaches. */
function levelSpan(level: number): number {
  return TILE_WIDTH ** level;
}

/** How many tree level 8·L nodes (hashes of tile level L) a tree of `treeSize` leaves has. */
export function hashesAtLevel(level: number, treeSize: number): number {
  return Math.floor(treeSize / levelSpan(level));
}

/**
 * The width of tile (level, index) in a tree of `treeSize` leaves: 256 when full, 1–255 when
 * partial, 0 when the tile does not exist yet (C2SP: floor(s / 256^l) mod 256 for the last one).
 */
export function tileWidth(level: number, index: number, treeSize: number): number {
  const width = hashesAtLevel(level, treeSize) - index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, width));
}

/**
 * The C2SP path of a tile, `tile/<L>/<N>[.p/<W>]`, N in 3-digit groups with `x` before all but
 * the last (1234067 → x001/x234/067); `width` below 256 makes it a partial tile's path.
 */
export function tilePath(level: number, index: number, width = TILE_WIDTH): string {
  if (!isTreeSize(level) || level > 63 || !isTreeSize(index)) {
    throw new RangeError(`no tile ${level}/${index}`);
  }
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`a tile is 1–${TILE_WIDTH} hashes wide, not ${width}`);
  }
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  const last = groups.length - 1;
  const elements = groups.map((group, i) => (i < last ? `x${group}` : group));
  const partial = width < TILE_WIDTH ? `.p/${width}` : "";
  return `tile/${level}/${elements.join("/")}${partial}`;
}

/** The i-th 32-byte hash of a concatenated tile (a view, not a copy). */
function hashAt(tile: Uint8Array, i: number): Uint8Array {
  return tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}

/** The root of a perfect subtree from its 2^r bottom hashes (1 ≤ 2^r ≤ 256), hashed up r levels. */
export function perfectRoot(hashes: readonly Uint8Array[]): Uint8Array {
  const n = hashes.length;
  if (n === 0 || n > TILE_WIDTH || (n & (n - 1)) !== 0) {
    throw new RangeError(`a perfect subtree has 2^r bottom hashes, not ${n}`);
  }
  let level = hashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    level = next;
  }
  return (level[0] as Uint8Array).slice();
}

/** `perfectRoot` of many 256-hash tiles, each level of all of them hashed in one `many` call. */
async function perfectRoots(
  bottoms: readonly Uint8Array[][],
  many: Sha256Many,
): Promise<Uint8Array[]> {
  let levels: Uint8Array[][] = bottoms.map((hashes) => [...hashes]);
  while (levels.length > 0 && (levels[0]?.length ?? 0) > 1) {
    const inputs: Uint8Array[] = [];
    for (const row of levels) {
      for (let i = 0; i < row.length; i += 2) {
        inputs.push(nodeInput(row[i] as Uint8Array, row[i + 1] as Uint8Array));
      }
    }
    const out = await many(inputs);
    const half = (levels[0]?.length ?? 0) / 2;
    levels = levels.map((_, t) => out.slice(t * half, (t + 1) * half));
  }
  return levels.map((row) => row[0] as Uint8Array);
}

/**
 * A stored tile checked to hold whole hashes, at most 256 and at least `width`; throws
 * TileStoreError otherwise. Storage, not an attacker, supplies tiles: a bad one is a bug.
 */
function checkedTile(
  stored: Uint8Array | null | undefined,
  level: number,
  index: number,
  width: number,
): Uint8Array {
  if (stored === null || stored === undefined) {
    throw new TileStoreError(level, index, `missing, ${width} hashes needed`);
  }
  if (stored.length % HASH_SIZE !== 0 || stored.length > TILE_WIDTH * HASH_SIZE) {
    throw new TileStoreError(level, index, `${stored.length} bytes is not a tile`);
  }
  if (stored.length < width * HASH_SIZE) {
    throw new TileStoreError(
      level,
      index,
      `holds ${stored.length / HASH_SIZE} hashes, ${width} needed`,
    );
  }
  return stored;
}

/**
 * Reads tile (level, index) and returns its first `width` hashes: a wider stored tile belongs
 * to a larger tree and holds the smaller tree's tile as a prefix (see the invariant above).
 */
export async function readTilePrefix(
  readTile: ReadTile,
  level: number,
  index: number,
  width: number,
): Promise<Uint8Array> {
  const stored = checkedTile(await readTile(level, index), level, index, width);
  return stored.subarray(0, width * HASH_SIZE);
}

/** What `appendToTiles` asks the caller to write, and the tree size once it is written. */
export interface Appended {
  treeSize: number;
  /** Every changed tile with its full new content, by level then index; write them atomically. */
  tiles: Tile[];
}

/**
 * Appends leaf hashes to a tree of `treeSize` leaves stored as tiles, and returns the tiles to
 * write. Reads only the right edge — at most the last tile of each level that grows, all at
 * once — and refuses (TileStoreError) a stored edge tile whose width is not the one `treeSize`
 * implies: that means the size is stale (another writer appended) or storage is damaged, and
 * writing on would lose leaves.
 */
export async function appendToTiles(
  treeSize: number,
  newLeafHashes: readonly Uint8Array[],
  readTile: ReadTile,
  options: { sha256Many?: Sha256Many } = {},
): Promise<Appended> {
  if (!isTreeSize(treeSize)) {
    throw new RangeError(`tree size ${treeSize} is not a non-negative safe integer`);
  }
  newLeafHashes.forEach((hash, i) => {
    if (!isHash(hash)) {
      throw new TypeError(`new leaf hash ${i} is not 32 bytes`);
    }
  });
  const newSize = treeSize + newLeafHashes.length;
  if (!isTreeSize(newSize)) {
    throw new RangeError(`tree size ${newSize} exceeds 2^53 − 1`);
  }

  // The levels that gain hashes, and the partial edge tile of each (read in parallel).
  const levels: { level: number; edgeIndex: number; edgeWidth: number }[] = [];
  for (let level = 0; hashesAtLevel(level, newSize) > hashesAtLevel(level, treeSize); level++) {
    const count = hashesAtLevel(level, treeSize);
    levels.push({
      level,
      edgeIndex: Math.floor(count / TILE_WIDTH),
      edgeWidth: count % TILE_WIDTH,
    });
  }
  const edges = await Promise.all(
    levels.map(async ({ level, edgeIndex, edgeWidth }) => {
      if (edgeWidth === 0) {
        return new Uint8Array(0);
      }
      const stored = checkedTile(await readTile(level, edgeIndex), level, edgeIndex, edgeWidth);
      if (stored.length !== edgeWidth * HASH_SIZE) {
        throw new TileStoreError(
          level,
          edgeIndex,
          `holds ${stored.length / HASH_SIZE} hashes, a tree of size ${treeSize} has ${edgeWidth}: stale tree size?`,
        );
      }
      return stored;
    }),
  );

  const tiles: Tile[] = [];
  // The hashes that enter each level: the new leaves, then the roots of newly full tiles. Never
  // spread into arguments: one append may carry hundreds of thousands of leaves.
  let pending: readonly Uint8Array[] = newLeafHashes;
  for (const [i, { level, edgeIndex }] of levels.entries()) {
    const edge = edges[i] ?? new Uint8Array(0);
    const all = concatByteList([edge, ...pending]);
    const width = all.length / HASH_SIZE;
    const full: Uint8Array[][] = [];
    for (let start = 0, index = edgeIndex; start < width; start += TILE_WIDTH, index++) {
      const count = Math.min(TILE_WIDTH, width - start);
      const hashes = all.slice(start * HASH_SIZE, (start + count) * HASH_SIZE);
      tiles.push({ level, index, hashes });
      if (count === TILE_WIDTH) {
        // Every full tile here is newly full: the edge tile was partial before this append.
        full.push(Array.from({ length: TILE_WIDTH }, (_, j) => hashAt(hashes, j)));
      }
    }
    pending =
      options.sha256Many === undefined
        ? full.map(perfectRoot)
        : await perfectRoots(full, options.sha256Many);
  }
  return { treeSize: newSize, tiles };
}
