/**
 * Roots and proofs of a tree stored as tiles (see tiles.ts). Each function first works out which
 * subtree hashes RFC 9162 asks for, then reads every tile they need once and in parallel, then
 * hashes. A node at tree level 8·L + r is the root of 2^r consecutive hashes of one level-L tile,
 * and a proof needs O(log n) nodes, so a call reads O(log n) tiles — about two per tile level.
 *
 * `treeSize` may be smaller than the stored tree (proofs for an older checkpoint): stored hashes
 * never change, so the tiles of today hold those of any earlier size as prefixes.
 */
import { EMPTY_ROOT, HASH_SIZE, isTreeSize, nodeHash } from "./hash.ts";
import { perfectRoot, type ReadTile, readTilePrefix, TILE_HEIGHT, TILE_WIDTH } from "./tiles.ts";

/** A range of leaves [start, end) whose Merkle tree hash a proof or a root needs. */
interface LeafRange {
  start: number;
  end: number;
}

/** A perfect subtree: tree level `height`, `index` within that level (leaves 2^h·k … ). */
interface Node {
  height: number;
  index: number;
}

/** The largest power of two strictly below `n` (n ≥ 2): where RFC 6962 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) {
    k *= 2;
  }
  return k;
}

/**
 * The perfect subtrees that make up [start, end), left to right, each as large as alignment
 * allows. For the ranges RFC 6962 uses (start aligned to the range's split), folding their roots
 * from the right gives MTH(D[start:end]).
 */
function perfectCover({ start, end }: LeafRange): Node[] {
  const nodes: Node[] = [];
  let at = start;
  while (at < end) {
    let height = 0;
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 <= end) {
      size *= 2;
      height++;
    }
    nodes.push({ height, index: at / size });
    at += size;
  }
  return nodes;
}

/** The leaf ranges of PATH(index, D[start:end]) (RFC 9162 §2.1.3.1), leaf-to-root. */
function inclusionRanges(index: number, start: number, end: number, out: LeafRange[]): void {
  const n = end - start;
  if (n <= 1) {
    return;
  }
  const k = splitPoint(n);
  if (index < start + k) {
    inclusionRanges(index, start, start + k, out);
    out.push({ start: start + k, end });
  } else {
    inclusionRanges(index, start + k, end, out);
    out.push({ start, end: start + k });
  }
}

/** The leaf ranges of SUBPROOF(old, D[start:end], b) (RFC 9162 §2.1.4.1), `old` absolute. */
function consistencyRanges(
  old: number,
  start: number,
  end: number,
  b: boolean,
  out: LeafRange[],
): void {
  if (old === end) {
    if (!b) {
      out.push({ start, end });
    }
    return;
  }
  const k = splitPoint(end - start);
  if (old - start <= k) {
    consistencyRanges(old, start, start + k, b, out);
    out.push({ start: start + k, end });
  } else {
    consistencyRanges(old, start + k, end, false, out);
    out.push({ start, end: start + k });
  }
}

/** Where a perfect node's bottom hashes sit: tile (level, index), from `offset`, `count` of them. */
function tileSpan({ height, index }: Node) {
  const level = Math.floor(height / TILE_HEIGHT);
  const count = 2 ** (height % TILE_HEIGHT);
  const first = index * count;
  return {
    level,
    index: Math.floor(first / TILE_WIDTH),
    offset: first % TILE_WIDTH,
    count,
  };
}

/** The Merkle tree hashes of `ranges`, in order, reading each needed tile once. */
async function hashRanges(ranges: readonly LeafRange[], readTile: ReadTile): Promise<Uint8Array[]> {
  const covers = ranges.map(perfectCover);

  // The widest prefix needed of each tile; one read per tile, all in parallel.
  const widths = new Map<string, { level: number; index: number; width: number }>();
  for (const node of covers.flat()) {
    const span = tileSpan(node);
    const key = `${span.level}/${span.index}`;
    const width = span.offset + span.count;
    const known = widths.get(key);
    if (known === undefined || known.width < width) {
      widths.set(key, { level: span.level, index: span.index, width });
    }
  }
  const tiles = new Map<string, Uint8Array>();
  await Promise.all(
    [...widths].map(async ([key, { level, index, width }]) => {
      tiles.set(key, await readTilePrefix(readTile, level, index, width));
    }),
  );

  const nodeHashes = new Map<string, Uint8Array>();
  const hashOf = (node: Node): Uint8Array => {
    const key = `${node.height}:${node.index}`;
    const known = nodeHashes.get(key);
    if (known !== undefined) {
      return known;
    }
    const span = tileSpan(node);
    const tile = tiles.get(`${span.level}/${span.index}`);
    if (tile === undefined) {
      throw new Error(`tile ${span.level}/${span.index} was not read`);
    }
    const bottom = Array.from({ length: span.count }, (_, i) =>
      tile.subarray((span.offset + i) * HASH_SIZE, (span.offset + i + 1) * HASH_SIZE),
    );
    const hash = perfectRoot(bottom);
    nodeHashes.set(key, hash);
    return hash;
  };

  return covers.map((cover) => {
    const roots = cover.map(hashOf);
    let acc = roots.pop();
    if (acc === undefined) {
      return EMPTY_ROOT.slice();
    }
    for (let i = roots.length - 1; i >= 0; i--) {
      acc = nodeHash(roots[i] as Uint8Array, acc);
    }
    return acc.slice();
  });
}

/** Throws unless `treeSize` is a tree size (a non-negative safe integer). */
function checkSize(treeSize: number, what: string): void {
  if (!isTreeSize(treeSize)) {
    throw new RangeError(`${what} ${treeSize} is not a non-negative safe integer`);
  }
}

/** The root of the tree of the first `treeSize` leaves (RFC 9162 §2.1.1), from its tiles. */
export async function treeRoot(treeSize: number, readTile: ReadTile): Promise<Uint8Array> {
  checkSize(treeSize, "tree size");
  if (treeSize === 0) {
    return EMPTY_ROOT.slice();
  }
  const [root] = await hashRanges([{ start: 0, end: treeSize }], readTile);
  return root ?? EMPTY_ROOT.slice();
}

/**
 * The inclusion proof (audit path, RFC 6962 §2.1.1) of leaf `index` in the tree of `treeSize`
 * leaves, leaf-to-root as RFC 9162 orders it; requires index < treeSize (RangeError otherwise).
 */
export async function inclusionProof(
  index: number,
  treeSize: number,
  readTile: ReadTile,
): Promise<Uint8Array[]> {
  checkSize(treeSize, "tree size");
  checkSize(index, "leaf index");
  if (index >= treeSize) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${treeSize}`);
  }
  const ranges: LeafRange[] = [];
  inclusionRanges(index, 0, treeSize, ranges);
  return hashRanges(ranges, readTile);
}

/**
 * The consistency proof (RFC 6962 §2.1.2) from the tree of `oldSize` leaves to that of `newSize`;
 * requires 0 < oldSize ≤ newSize (RangeError otherwise: a proof from the empty tree is
 * meaningless, and verifyConsistency refuses one). Equal sizes give the empty proof.
 */
export async function consistencyProof(
  oldSize: number,
  newSize: number,
  readTile: ReadTile,
): Promise<Uint8Array[]> {
  checkSize(oldSize, "old size");
  checkSize(newSize, "new size");
  if (oldSize === 0 || oldSize > newSize) {
    throw new RangeError(
      `no consistency proof from size ${oldSize} to size ${newSize} (needs 0 < old ≤ new)`,
    );
  }
  const ranges: LeafRange[] = [];
  consistencyRanges(oldSize, 0, newSize, true, ranges);
  return hashRanges(ranges, readTile);
}
