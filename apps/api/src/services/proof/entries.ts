import {
  type Entry,
  type EntryReason,
  type EntryStatus,
  REASON_BY_CODE,
  STATUS_BY_CODE,
} from "@lapse/proof";

/**
 * Reading the log (R11) as `Entry` objects of @lapse/proof, the leaves of the tenant's tree. The
 * canonical entry is rebuilt from the row (docs/proof.md: entry encoding): a status change
 * joins its consent's key and its actor's name, a binding's `data` is its 32-byte commitment,
 * an erasure's `data` its reason in UTF-8.
 *
 * Entries are read without joins, a page as one JSON value: the tenant's consent keys and actor names come from two small
 * reads beside them, so reading the log costs one row read per entry.
 *
 * The SQL here takes text parameters only (cast in SQL), so the Worker and the Node CLI
 * (whose remote D1 API binds strings) run the same statements.
 */

/** A read of the database: rows of one statement with its parameters. */
export type SqlRead = <T>(sql: string, params: readonly string[]) => Promise<T[]>;

/**
 * Where a log's entries are read from: the data shard holding the log (entries, actors, tiles)
 * and the control plane (the tenant's consent keys the entries name by number).
 */
export interface LogReads {
  data: SqlRead;
  control: SqlRead;
}

/** A D1 binding as a SqlRead. */
export function d1Read(d1: D1Database): SqlRead {
  return async <T>(sql: string, params: readonly string[]) =>
    (
      await d1
        .prepare(sql)
        .bind(...params)
        .all<T>()
    ).results;
}

/** An entry row with its consent's key and its actor's name resolved; `data` as hex. */
export interface EntryRow {
  idx: number;
  kind: number;
  profile: number;
  consent: string | null;
  version: number | null;
  fromStatus: number | null;
  toStatus: number | null;
  reason: number | null;
  actor: string | null;
  occurredAt: number | null;
  recordedAt: number;
  data: string | null;
}

interface RawEntryRow extends Omit<EntryRow, "consent" | "actor"> {
  consent: number | null;
  actor: number | null;
}

/**
 * A page of entries as one JSON text (one value to hand over instead of a row object per
 * entry: six times faster through the local D1 proxy and the REST API alike), in log order.
 * `where` and `limit` are SQL over the statement's parameters.
 */
function entryPage(where: string, limit = ""): string {
  return `SELECT json_group_array(json_array(idx, kind, profile, consent, version, from_status,
      to_status, reason, actor, occurred_at, recorded_at, hex(data))) AS page
    FROM (SELECT * FROM entry WHERE ${where} ORDER BY idx ${limit})`;
}

type PackedRow = [
  number,
  number,
  number,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number,
  string | null,
];

async function readPage(
  read: SqlRead,
  sql: string,
  params: readonly string[],
): Promise<RawEntryRow[]> {
  const [row] = await read<{ page: string }>(sql, params);
  const packed = JSON.parse(row?.page ?? "[]") as PackedRow[];
  return packed.map((p) => ({
    idx: p[0],
    kind: p[1],
    profile: p[2],
    consent: p[3],
    version: p[4],
    fromStatus: p[5],
    toStatus: p[6],
    reason: p[7],
    actor: p[8],
    occurredAt: p[9],
    recordedAt: p[10],
    data: p[11] === "" ? null : p[11],
  }));
}

/**
 * The tenant's consent keys by number and actor names by id: the two small tables the entries
 * refer to, read beside the entries instead of joined into every row (one row read per entry).
 * A consent of another tenant is not among them, so an entry pointed at one cannot be rebuilt.
 */
async function namesOf(reads: LogReads, tenantNum: number) {
  const [consents, actors] = await Promise.all([
    reads.control<{ num: number; key: string }>(
      `SELECT c.num, c.key FROM consent AS c JOIN tenant AS t ON t.id = c.tenant_id
       WHERE t.num = CAST(?1 AS INTEGER)`,
      [String(tenantNum)],
    ),
    reads.data<{ id: number; name: string }>(
      "SELECT id, name FROM actor WHERE tenant = CAST(?1 AS INTEGER)",
      [String(tenantNum)],
    ),
  ]);
  return {
    consents: new Map(consents.map((c) => [c.num, c.key])),
    actors: new Map(actors.map((a) => [a.id, a.name])),
  };
}

async function resolved(
  reads: LogReads,
  tenantNum: number,
  rows: Promise<RawEntryRow[]>,
): Promise<EntryRow[]> {
  const [raw, names] = await Promise.all([rows, namesOf(reads, tenantNum)]);
  return raw.map((row) => ({
    ...row,
    consent: row.consent === null ? null : (names.consents.get(row.consent) ?? null),
    actor: row.actor === null ? null : (names.actors.get(row.actor) ?? null),
  }));
}

/** The entries of the tenant's log on a shard with from ≤ idx < to, in log order. */
export function readEntryRows(
  reads: LogReads,
  tenantNum: number,
  from: number,
  to: number,
): Promise<EntryRow[]> {
  return resolved(
    reads,
    tenantNum,
    readPage(
      reads.data,
      entryPage(
        "tenant = CAST(?1 AS INTEGER) AND idx >= CAST(?2 AS INTEGER) AND idx < CAST(?3 AS INTEGER)",
      ),
      [String(tenantNum), String(from), String(to)],
    ),
  );
}

/** At most `limit` of the tenant's entries from idx `from` on, in log order. */
export function readEntryRowsFrom(
  reads: LogReads,
  tenantNum: number,
  from: number,
  limit: number,
): Promise<EntryRow[]> {
  return resolved(
    reads,
    tenantNum,
    readPage(
      reads.data,
      entryPage(
        "tenant = CAST(?1 AS INTEGER) AND idx >= CAST(?2 AS INTEGER)",
        "LIMIT CAST(?3 AS INTEGER)",
      ),
      [String(tenantNum), String(from), String(limit)],
    ),
  );
}

/** One profile's entries (through entry_profile_idx), in log order. */
export function readProfileEntryRows(
  reads: LogReads,
  tenantNum: number,
  profileKey: number,
): Promise<EntryRow[]> {
  return resolved(
    reads,
    tenantNum,
    readPage(
      reads.data,
      entryPage("profile = CAST(?2 AS INTEGER) AND tenant = CAST(?1 AS INTEGER)"),
      [String(tenantNum), String(profileKey)],
    ),
  );
}

const HEX_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    values["0123456789abcdef".charCodeAt(i)] = i;
    values["0123456789ABCDEF".charCodeAt(i)] = i;
  }
  return values;
})();

/** Hex of either case (SQLite's hex() is upper case) as bytes; undefined when not hex. */
export function hexBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) {
    return undefined;
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX_VALUES[text.charCodeAt(2 * i)] ?? -1;
    const lo = HEX_VALUES[text.charCodeAt(2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0) {
      return undefined;
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export type RebuiltEntry = { ok: true; entry: Entry } | { ok: false; message: string };

function statusOfCode(code: number | null): EntryStatus | undefined {
  return code === null ? undefined : STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE];
}

function reasonOfCode(code: number | null): EntryReason | undefined {
  return code === null ? undefined : REASON_BY_CODE[code as keyof typeof REASON_BY_CODE];
}

/**
 * The canonical entry of a row, or why none can be rebuilt (a code, a join or a field that
 * is gone or out of range: the row was changed by hand).
 */
export function entryOfRow(row: EntryRow): RebuiltEntry {
  const fail = (what: string): RebuiltEntry => ({
    ok: false,
    message: `log entry ${row.idx} cannot be rebuilt: ${what}`,
  });
  switch (row.kind) {
    case 1: {
      const from = statusOfCode(row.fromStatus);
      const to = statusOfCode(row.toStatus);
      const reason = reasonOfCode(row.reason);
      if (row.consent === null) {
        return fail("its consent does not exist");
      }
      if (row.actor === null) {
        return fail("its actor does not exist");
      }
      if (from === undefined || to === undefined || reason === undefined) {
        return fail("a status or reason code is unknown");
      }
      if (row.version === null || row.occurredAt === null) {
        return fail("its consent version or occurred-at is empty");
      }
      return {
        ok: true,
        entry: {
          kind: "status_change",
          profile: row.profile,
          consent: row.consent,
          consentVersion: row.version,
          from,
          to,
          reason,
          actor: row.actor,
          occurredAt: row.occurredAt,
          recordedAt: row.recordedAt,
        },
      };
    }
    case 2: {
      const commitment = row.data === null ? undefined : hexBytes(row.data);
      if (commitment?.length !== 32) {
        return fail("its commitment is not 32 bytes");
      }
      return {
        ok: true,
        entry: {
          kind: "profile_binding",
          profile: row.profile,
          commitment,
          recordedAt: row.recordedAt,
        },
      };
    }
    case 3: {
      const bytes = row.data === null ? new Uint8Array(0) : hexBytes(row.data);
      if (bytes === undefined) {
        return fail("its reason is not bytes");
      }
      let reason: string;
      try {
        reason = utf8.decode(bytes);
      } catch {
        return fail("its reason is not UTF-8");
      }
      return {
        ok: true,
        entry: { kind: "erasure", profile: row.profile, reason, recordedAt: row.recordedAt },
      };
    }
    default:
      return fail(`kind ${row.kind} is unknown`);
  }
}

/** The canonical entry of a row; throws when it cannot be rebuilt (the sealer's case). */
export function requireEntry(row: EntryRow): Entry {
  const rebuilt = entryOfRow(row);
  if (!rebuilt.ok) {
    throw new Error(rebuilt.message);
  }
  return rebuilt.entry;
}
