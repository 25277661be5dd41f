import { encodeHex, type ReadTile, type Tile } from "@lapse/proof";
import { hexBytes, type SqlRead } from "./entries.ts";

/**
 * The tenant's tree as stored (migration 0001): `log_tree` (how many entries it integrates, and
 * its root), `tile` rows in the C2SP tlog-tiles layout, and the signed `checkpoint` notes.
 * Reads take text parameters (see entries.ts), so the Node CLI runs them too.
 */

/** The integrated size and root of a tenant's tree; size 0 when nothing was sealed yet. */
export interface StoredTree {
  size: number;
  root: Uint8Array | null;
  sealedAt: number | null;
}

export async function readTree(read: SqlRead, tenantNum: number): Promise<StoredTree> {
  const [row] = await read<{ size: number; root: string; sealedAt: number }>(
    `SELECT size, hex(root) AS root, sealed_at AS sealedAt FROM log_tree
     WHERE tenant = CAST(?1 AS INTEGER)`,
    [String(tenantNum)],
  );
  return row === undefined
    ? { size: 0, root: null, sealedAt: null }
    : { size: row.size, root: hexBytes(row.root) ?? null, sealedAt: row.sealedAt };
}

export interface StoredCheckpoint {
  /** The row's size (the note says its own: they differ only if someone edited the row). */
  size: number;
  note: string;
  signedAt: number;
}

/** The tenant's newest signed checkpoint (largest size), or null before the first seal. */
export async function readNewestCheckpoint(
  read: SqlRead,
  tenantNum: number,
): Promise<StoredCheckpoint | null> {
  const [row] = await read<StoredCheckpoint>(
    `SELECT size, note, signed_at AS signedAt FROM checkpoint
     WHERE tenant = CAST(?1 AS INTEGER) ORDER BY size DESC LIMIT 1`,
    [String(tenantNum)],
  );
  return row ?? null;
}

/** Every stored checkpoint of the tenant, oldest first. */
export function readCheckpoints(read: SqlRead, tenantNum: number): Promise<StoredCheckpoint[]> {
  return read<StoredCheckpoint>(
    `SELECT size, note, signed_at AS signedAt FROM checkpoint
     WHERE tenant = CAST(?1 AS INTEGER) ORDER BY size`,
    [String(tenantNum)],
  );
}

/** The stored tiles of one level with first ≤ idx < end, by index. */
export async function readTileRange(
  read: SqlRead,
  tenantNum: number,
  level: number,
  first: number,
  end: number,
): Promise<Map<number, Uint8Array>> {
  const rows = await read<{ idx: number; hashes: string }>(
    `SELECT idx, hex(hashes) AS hashes FROM tile
     WHERE tenant = CAST(?1 AS INTEGER) AND level = CAST(?2 AS INTEGER)
       AND idx >= CAST(?3 AS INTEGER) AND idx < CAST(?4 AS INTEGER)
     ORDER BY idx`,
    [String(tenantNum), String(level), String(first), String(end)],
  );
  const tiles = new Map<number, Uint8Array>();
  for (const row of rows) {
    const bytes = hexBytes(row.hashes);
    if (bytes !== undefined) {
      tiles.set(row.idx, bytes);
    }
  }
  return tiles;
}

const tileKey = (level: number, index: number) => `${level}/${index}`;

/**
 * A ReadTile over the `tile` table. Each tile is read once (kept for this reader's life), and
 * the reads asked for in one tick — @lapse/proof asks for all the tiles a root or proof needs at
 * once — go to D1 as one query. `overlay` tiles (just computed, not yet written) win.
 */
export function tileReader(
  read: SqlRead,
  tenantNum: number,
  overlay: readonly Tile[] = [],
): ReadTile {
  const cache = new Map<string, Promise<Uint8Array | null>>();
  for (const tile of overlay) {
    cache.set(tileKey(tile.level, tile.index), Promise.resolve(tile.hashes));
  }
  let pending: { level: number; index: number; resolve: (t: Uint8Array | null) => void }[] = [];
  let failAll: ((error: unknown) => void)[] = [];

  const flush = async () => {
    const batch = pending;
    const rejects = failAll;
    pending = [];
    failAll = [];
    try {
      const rows = await read<{ level: number; idx: number; hashes: string }>(
        `SELECT level, idx, hex(hashes) AS hashes FROM tile
         WHERE tenant = CAST(?1 AS INTEGER)
           AND (level, idx) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?2))`,
        [String(tenantNum), JSON.stringify(batch.map((p) => [p.level, p.index]))],
      );
      const found = new Map(rows.map((r) => [tileKey(r.level, r.idx), r.hashes]));
      for (const p of batch) {
        const hex = found.get(tileKey(p.level, p.index));
        p.resolve(hex === undefined ? null : (hexBytes(hex) ?? null));
      }
    } catch (error) {
      for (const reject of rejects) {
        reject(error);
      }
    }
  };

  return (level, index) => {
    const key = tileKey(level, index);
    let tile = cache.get(key);
    if (!tile) {
      tile = new Promise<Uint8Array | null>((resolve, reject) => {
        if (pending.length === 0) {
          queueMicrotask(() => void flush());
        }
        pending.push({ level, index, resolve });
        failAll.push(reject);
      });
      cache.set(key, tile);
    }
    return tile;
  };
}

/** The most tiles one upsert carries: 48 × 16 KiB of hex stays far below D1's 2 MB value limit. */
const TILES_PER_STATEMENT = 48;

/**
 * The upserts of changed tiles (a partial tile's row is rewritten as it grows; the table's
 * trigger refuses any other change), each guarded: it writes only while the tree row says
 * `size` and `root`, i.e. in the batch that just moved the tree there.
 */
export function tileUpserts(
  d1: D1Database,
  tenantNum: number,
  tiles: readonly Tile[],
  guard: { size: number; root: Uint8Array },
): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < tiles.length; i += TILES_PER_STATEMENT) {
    const chunk = tiles.slice(i, i + TILES_PER_STATEMENT);
    statements.push(
      d1
        .prepare(
          `INSERT INTO tile (tenant, level, idx, hashes)
           SELECT ?1, value ->> '$.l', value ->> '$.i', unhex(value ->> '$.h') FROM json_each(?2)
           WHERE (SELECT size = ?3 AND root = unhex(?4) FROM log_tree WHERE tenant = ?1)
           ON CONFLICT (tenant, level, idx) DO UPDATE SET hashes = excluded.hashes
           WHERE tile.hashes IS NOT excluded.hashes`,
        )
        .bind(
          tenantNum,
          JSON.stringify(chunk.map((t) => ({ l: t.level, i: t.index, h: encodeHex(t.hashes) }))),
          guard.size,
          encodeHex(guard.root),
        ),
    );
  }
  return statements;
}
