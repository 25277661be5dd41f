/**
 * Helpers for the proof tests: an in-memory tile store that counts its reads, and deterministic
 * leaves. Hex is decoded here rather than with the package's decodeHex, so vectors do not
 * depend on the code they check.
 */
import { appendToTiles, leafHash, type ReadTile, type Tile } from "../src/index.ts";

/** fast-check runs of the cheap properties; the big-tree ones set their own, smaller counts. */
export const PROPERTY_RUNS = 200;

/** Bytes of a hex literal in a vector table; throws on a typo. */
export function hex(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(text)) {
    throw new Error(`test table typo, not hex: ${text}`);
  }
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
}

/** Lowercase hex of bytes, for readable assertion diffs. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of a standard base64 literal, decoded with atob (not the package's decoder). */
export function b64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A copy of `bytes` with bit `bit` of byte `index` flipped. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ (1 << bit);
  return copy;
}

/** The leaf hash of the i-th test leaf (its index as 4 big-endian bytes). */
export function testLeaf(i: number): Uint8Array {
  return leafHash(Uint8Array.of(i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff));
}

/** The first `n` test leaf hashes, cached: the big-tree tests share them. */
const leafCache: Uint8Array[] = [];
export function testLeaves(n: number): Uint8Array[] {
  for (let i = leafCache.length; i < n; i++) {
    leafCache.push(testLeaf(i));
  }
  return leafCache.slice(0, n);
}

/** Tiles in a Map, as D1 rows would hold them, with a log of the reads made. */
export class MemoryTiles {
  readonly rows = new Map<string, Uint8Array>();
  readonly reads: string[] = [];
  size = 0;

  /** The ReadTile of this store: a copy of the row, so callers cannot change what is stored. */
  readonly read: ReadTile = async (level, index) => {
    this.reads.push(`${level}/${index}`);
    return this.rows.get(`${level}/${index}`)?.slice();
  };

  /** Stores tiles as rows, replacing a partial row that has grown. */
  write(tiles: readonly Tile[]): void {
    for (const tile of tiles) {
      this.rows.set(`${tile.level}/${tile.index}`, tile.hashes.slice());
    }
  }

  /** Appends through appendToTiles and writes what it returns, as the sealing job will. */
  async append(hashes: readonly Uint8Array[]): Promise<Tile[]> {
    const { treeSize, tiles } = await appendToTiles(this.size, hashes, this.read);
    this.write(tiles);
    this.size = treeSize;
    return tiles;
  }

  /** Appends `hashes` in batches of the given sizes (the last batch takes the rest). */
  async appendInBatches(hashes: readonly Uint8Array[], batchSizes: readonly number[]) {
    let at = 0;
    for (const size of batchSizes) {
      if (at >= hashes.length) {
        break;
      }
      await this.append(hashes.slice(at, at + size));
      at += size;
    }
    if (at < hashes.length) {
      await this.append(hashes.slice(at));
    }
  }

  /** Forgets the reads so far, to count those of the next call. */
  resetReads(): void {
    this.reads.length = 0;
  }

  /** The stored widths by tile, e.g. { "0/0": 256, "1/0": 1 }. */
  widths(): Record<string, number> {
    return Object.fromEntries([...this.rows].map(([key, bytes]) => [key, bytes.length / 32]));
  }
}

/** A store holding the tree of `leaves`, appended in one batch. */
export async function storeOf(leaves: readonly Uint8Array[]): Promise<MemoryTiles> {
  const store = new MemoryTiles();
  await store.append(leaves);
  return store;
}
