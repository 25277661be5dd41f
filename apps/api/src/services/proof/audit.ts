import {
  bytesEqual,
  concatByteList,
  consistencyProof,
  encodeBase64,
  encodeHex,
  HASH_SIZE,
  nodeHash,
  nodeInput,
  openCheckpoint,
  type ReadTile,
  TILE_WIDTH,
  tileWidth,
  treeRoot,
  verifyConsistency,
} from "@lapse/proof";
import { classifyMismatches, type LogProblem, rowLeafHash, type Sha256 } from "./classify.ts";
import { type LogReads, readEntryRows } from "./entries.ts";
import { readCheckpoints, readTileRange, readTree } from "./tree.ts";

/**
 * The tenant-wide check of a log (R11), for `history:verify` and the tests: every entry
 * 0 … size−1 rehashed against the tree's leaves, the tiles rebuilt from those leaves and
 * compared with the stored ones, the tree's root against the newest checkpoint's signature,
 * every stored checkpoint against today's tree, and checkpoints kept elsewhere (a DPO's file)
 * against today's by an RFC 6962 consistency proof. Reads only (SqlRead), so it runs in the
 * Worker and in Node on the same SQL.
 */

export interface LogAudit {
  ok: boolean;
  /** The tree's size (entries sealed), from the tree row. */
  treeSize: number;
  /** Base64 of the root rebuilt from the stored leaves. */
  rootHash: string;
  /** Entry rows read (sealed and not). */
  entries: number;
  /** Entries written after the tree's size: not sealed yet (not a problem). */
  unsealed: number;
  /** Stored checkpoints checked. */
  checkpoints: number;
  problems: LogProblem[];
}

export interface AuditOptions {
  /** The log's checkpoint origin (`<PROOF_ORIGIN>/<tenant id>`). */
  origin: string;
  /** The verifier keys to trust: the current one and earlier ones. */
  verifierKeys: readonly string[];
  /** Signed checkpoint notes kept earlier (e.g. `--checkpoint FILE`). */
  kept?: readonly string[];
  /** Entries per read. */
  pageSize?: number;
  /** Called now and then while entries are read. */
  onProgress?: (done: number, total: number) => void;
  /** At most this many problems are listed (the count goes on). */
  maxProblems?: number;
  /** SHA-256 for the rehashing (default @lapse/proof's; the CLI passes node:crypto's). */
  sha256?: Sha256;
  /**
   * A log forked by `tenant:reshard`, checked before its first checkpoint is signed: having
   * no checkpoint of its own is then no problem (`kept` holds the parent's).
   */
  unsigned?: boolean;
}

/** Tiles per read: 256 × 16 KiB of hex keeps a response small. */
const TILES_PER_READ = 256;

/**
 * Every tile of the tree of these leaves, by "level/index": appendToTiles's result, computed
 * here with a replaceable SHA-256 (a million leaves are a million node hashes to redo).
 */
function rebuildTiles(leaves: readonly Uint8Array[], sha256?: Sha256): Map<string, Uint8Array> {
  const node = (left: Uint8Array, right: Uint8Array): Uint8Array =>
    sha256 === undefined ? nodeHash(left, right) : sha256(nodeInput(left, right));
  const tiles = new Map<string, Uint8Array>();
  let hashes = leaves;
  for (let level = 0; hashes.length > 0; level++) {
    const next: Uint8Array[] = [];
    for (let index = 0; index * TILE_WIDTH < hashes.length; index++) {
      const part = hashes.slice(index * TILE_WIDTH, (index + 1) * TILE_WIDTH);
      tiles.set(`${level}/${index}`, concatByteList(part));
      if (part.length === TILE_WIDTH) {
        let row = part;
        while (row.length > 1) {
          const up: Uint8Array[] = [];
          for (let i = 0; i < row.length; i += 2) {
            up.push(node(row[i] as Uint8Array, row[i + 1] as Uint8Array));
          }
          row = up;
        }
        next.push(row[0] as Uint8Array);
      }
    }
    hashes = next;
  }
  return tiles;
}

function memoryReader(tiles: ReadonlyMap<string, Uint8Array>): ReadTile {
  return async (level, index) => tiles.get(`${level}/${index}`);
}

export async function auditLog(
  reads: LogReads,
  tenantNum: number,
  options: AuditOptions,
): Promise<LogAudit> {
  const read = reads.data;
  const problems: LogProblem[] = [];
  const pageSize = options.pageSize ?? 10_000;
  const tree = await readTree(read, tenantNum);
  const size = tree.size;

  // 1. The stored tiles, every level.
  const stored = new Map<string, Uint8Array>();
  for (let level = 0; ; level++) {
    const count = Math.ceil(Math.floor(size / TILE_WIDTH ** level) / TILE_WIDTH);
    if (count === 0) {
      break;
    }
    for (let first = 0; first < count; first += TILES_PER_READ) {
      const tiles = await readTileRange(read, tenantNum, level, first, first + TILES_PER_READ);
      for (const [index, hashes] of tiles) {
        stored.set(`${level}/${index}`, hashes);
      }
    }
  }

  // 2. The leaves: the level-0 tiles; a missing or short tile is a problem of the tree.
  const leaves = new Uint8Array(size * HASH_SIZE);
  const knownLeaf = new Uint8Array(size);
  for (let index = 0; index * TILE_WIDTH < size; index++) {
    const width = tileWidth(0, index, size);
    const tile = stored.get(`0/${index}`);
    if (tile === undefined || tile.length < width * HASH_SIZE) {
      problems.push({
        kind: "tree",
        message: `Tile 0/${index} of the tree is ${tile === undefined ? "missing" : "short"}: the tree was cut or rewritten.`,
      });
      continue;
    }
    leaves.set(tile.subarray(0, width * HASH_SIZE), index * TILE_WIDTH * HASH_SIZE);
    knownLeaf.fill(1, index * TILE_WIDTH, index * TILE_WIDTH + width);
  }
  const leafAt = (i: number) =>
    i >= 0 && i < size && knownLeaf[i] === 1
      ? leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)
      : undefined;

  // 3. The entries, rehashed against the leaves.
  const entryHashes = new Map<number, Uint8Array | null>();
  const positions: number[] = [];
  let entries = 0;
  let unsealed = 0;
  const rebuiltLeaves: Uint8Array[] = [];
  for (let from = 0; ; from += pageSize) {
    const to = from + pageSize;
    const rows = await readEntryRows(reads, tenantNum, from, to);
    let next = from;
    for (const row of rows) {
      for (; next < row.idx && next < size; next++) {
        positions.push(next); // No row: absent.
      }
      next = row.idx + 1;
      entries += 1;
      const hash = rowLeafHash(row, options.sha256);
      if (row.idx >= size) {
        unsealed += 1;
        if (row.idx <= size + 1) {
          entryHashes.set(row.idx, hash);
        }
        continue;
      }
      const leaf = leafAt(row.idx);
      if (leaf === undefined) {
        rebuiltLeaves[row.idx] = hash ?? new Uint8Array(HASH_SIZE);
      }
      if (hash === null || leaf === undefined || !bytesEqual(hash, leaf)) {
        positions.push(row.idx);
        entryHashes.set(row.idx, hash);
      }
    }
    for (; next < Math.min(to, size); next++) {
      positions.push(next);
    }
    options.onProgress?.(Math.min(to, size), size);
    if (rows.length === 0 && to >= size) {
      break;
    }
  }
  // Neighbours of the mismatches (a shift by one) are read for the classification.
  const positionSet = new Set(positions);
  const needed = new Set<number>();
  for (const i of positions) {
    for (const j of [i - 1, i + 1]) {
      if (j >= 0 && j < size && !positionSet.has(j)) {
        needed.add(j);
      }
    }
  }
  for (const i of [...needed].slice(0, 20_000)) {
    const leaf = leafAt(i);
    if (leaf !== undefined) {
      entryHashes.set(i, leaf); // It matched its leaf (it is not among the mismatches).
    }
  }
  const absentSet = new Set(positions.filter((i) => !entryHashes.has(i)));
  // Leaves equal to a mismatched entry's hash, for re-orderings: one pass over the leaves.
  const wanted = new Map<string, number>();
  for (const i of positions.slice(0, 20_000)) {
    const hash = entryHashes.get(i);
    if (hash) {
      wanted.set(encodeHex(hash), i);
    }
  }
  const foundAt = new Map<string, number[]>();
  if (wanted.size > 0) {
    for (let i = 0; i < size; i++) {
      const leaf = leafAt(i);
      if (leaf === undefined) {
        continue;
      }
      const key = encodeHex(leaf);
      if (wanted.has(key)) {
        foundAt.set(key, [...(foundAt.get(key) ?? []), i]);
      }
    }
  }
  problems.push(
    ...classifyMismatches(positions, {
      size,
      leaf: leafAt,
      entry: (i) => (absentSet.has(i) ? undefined : entryHashes.get(i)),
      find: (hash, not) => foundAt.get(encodeHex(hash))?.find((j) => j !== not),
    }),
  );

  // 4. The tiles rebuilt from the leaves (entries where a leaf tile is gone), compared.
  const leafList: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    leafList.push(leafAt(i) ?? rebuiltLeaves[i] ?? new Uint8Array(HASH_SIZE));
  }
  const rebuilt = rebuildTiles(leafList, options.sha256);
  for (const [key, hashes] of rebuilt) {
    const have = stored.get(key);
    if (
      !key.startsWith("0/") &&
      (have === undefined ||
        have.length < hashes.length ||
        !bytesEqual(have.subarray(0, hashes.length), hashes))
    ) {
      problems.push({
        kind: "tree",
        message: `Tile ${key} of the tree does not hash up from the leaves below it: the tree was rewritten.`,
      });
    }
  }
  const reader = memoryReader(rebuilt);
  const root = await treeRoot(size, reader);
  if (size > 0 && (tree.root === null || !bytesEqual(tree.root, root))) {
    problems.push({
      kind: "tree",
      message: "The tree row's root is not the root of the stored tiles: the tree was rewritten.",
    });
  }

  // 5. The stored checkpoints against today's tree.
  const checkpoints = await readCheckpoints(read, tenantNum);
  let newest: { size: number; root: Uint8Array } | undefined;
  for (const row of checkpoints) {
    const opened = await openCheckpoint(row.note, options.verifierKeys, options.origin);
    if (!opened.ok) {
      problems.push({
        kind: "signature",
        message: `The stored checkpoint of size ${row.size} does not verify with the log's verifier keys (${opened.message}): it was forged or altered.`,
      });
      continue;
    }
    const { checkpoint } = opened;
    if (checkpoint.size !== row.size) {
      problems.push({
        kind: "rollback",
        message: `The checkpoint stored for size ${row.size} is a signed checkpoint of size ${checkpoint.size}: it was replaced by another one.`,
      });
    }
    if (newest === undefined || checkpoint.size >= newest.size) {
      newest = { size: checkpoint.size, root: checkpoint.root };
    }
    if (checkpoint.size > size) {
      problems.push({
        kind: "truncated",
        message: `A signed checkpoint has ${checkpoint.size} entries, the tree only ${size}: the log and its tree were cut back.`,
      });
    } else if (
      checkpoint.size > 0 &&
      !bytesEqual(await treeRoot(checkpoint.size, reader), checkpoint.root)
    ) {
      problems.push({
        kind: checkpoint.size === size ? "tree" : "inconsistent",
        message:
          checkpoint.size === size
            ? `The log's ${size} entries do not hash to the root of their signed checkpoint: the log and its tree were rewritten.`
            : `The first ${checkpoint.size} entries of the log do not hash to the root of their signed checkpoint: history was rewritten after it was signed.`,
      });
    }
  }
  if (size > 0 && newest === undefined && !options.unsigned) {
    problems.push({
      kind: "signature",
      message: `The tree of ${size} entries has no checkpoint signed by the log's key.`,
    });
  } else if (newest !== undefined && newest.size < size) {
    problems.push({
      kind: "rollback",
      message: `The newest signed checkpoint has ${newest.size} entries but the tree ${size}: a newer checkpoint was removed or replaced by an older one.`,
    });
  }

  // 6. Checkpoints kept elsewhere, by consistency proof to today's signed tree.
  for (const [n, note] of (options.kept ?? []).entries()) {
    const which = `The kept checkpoint${(options.kept?.length ?? 0) > 1 ? ` ${n + 1}` : ""}`;
    const opened = await openCheckpoint(note, options.verifierKeys, options.origin);
    if (!opened.ok) {
      problems.push({
        kind: "signature",
        message: `${which} does not verify with the log's verifier keys (${opened.message}).`,
      });
      continue;
    }
    const kept = opened.checkpoint;
    const current = newest ?? { size, root };
    if (newest !== undefined && kept.size > newest.size) {
      problems.push({
        kind: "rollback",
        message: `${which} has ${kept.size} entries, but the log's newest checkpoint only ${newest?.size ?? 0}: the log went back to an older checkpoint.`,
      });
    }
    if (kept.size > size) {
      problems.push({
        kind: "truncated",
        message: `${which} has ${kept.size} entries, the log's tree only ${size}: entries it committed to were cut off.`,
      });
      continue;
    }
    if (kept.size === 0 || kept.size > current.size) {
      continue;
    }
    const proof = await consistencyProof(kept.size, current.size, reader);
    if (!verifyConsistency(kept.size, current.size, proof, kept.root, current.root)) {
      problems.push({
        kind: "inconsistent",
        message: `${which} (size ${kept.size}) is not consistent with today's checkpoint (size ${current.size}): the history it signed was rewritten.`,
      });
    }
  }

  const max = options.maxProblems ?? 1000;
  return {
    ok: problems.length === 0,
    treeSize: size,
    rootHash: encodeBase64(root),
    entries,
    unsealed,
    checkpoints: checkpoints.length,
    problems: problems.slice(0, max),
  };
}
