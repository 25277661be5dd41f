/**
 * The canonical bytes of a Lapse history entry: the leaf data of the log (README: entry
 * encoding). One entry has exactly one encoding, and decoding refuses everything else, so a
 * verifier in any language hashes what the log hashed.
 *
 *   entry      = version:u8 (= 1)  kind:u8  body
 *   kind 1 — status change:   profile:u64  consent:str  consentVersion:u32  from:u8  to:u8
 *                             reason:u8  actor:str  occurredAt:i64  recordedAt:i64
 *   kind 2 — profile binding: profile:u64  commitment:32 bytes  recordedAt:i64
 *   kind 3 — erasure:         profile:u64  reason:str  recordedAt:i64
 *   str  = length:u16 big-endian, then that many UTF-8 bytes
 *   u8/u16/u32/u64 unsigned big-endian; i64 signed big-endian (instants in epoch milliseconds)
 *
 * Numbers are JavaScript numbers, so u64 and i64 fields hold safe integers (|n| ≤ 2^53 − 1):
 * encoding refuses others, and decoding refuses bytes that would not fit.
 */
import { concatBytes, utf8Decode, utf8Encode } from "./bytes.ts";
import { HASH_SIZE, leafHash, sha256 } from "./hash.ts";

/** The encoding version, the first byte of every entry. */
export const ENTRY_VERSION = 1;

/** Entry kinds and their codes. */
export const ENTRY_KIND_CODES = { status_change: 1, profile_binding: 2, erasure: 3 } as const;
export const ENTRY_KIND_BY_CODE = {
  1: "status_change",
  2: "profile_binding",
  3: "erasure",
} as const;
export type EntryKind = keyof typeof ENTRY_KIND_CODES;

/** Consent statuses and their codes (the names of @lapse/consent's ConsentStatus). */
export const STATUS_CODES = { unknown: 0, accepted: 1, refused: 2 } as const;
export const STATUS_BY_CODE = { 0: "unknown", 1: "accepted", 2: "refused" } as const;
export type EntryStatus = keyof typeof STATUS_CODES;

/** Why a status changed, and the codes (@lapse/consent's HistoryReason plus `erased`). */
export const REASON_CODES = {
  customer: 1,
  api: 2,
  entry_event: 3,
  expired: 4,
  import: 5,
  erased: 6,
} as const;
export const REASON_BY_CODE = {
  1: "customer",
  2: "api",
  3: "entry_event",
  4: "expired",
  5: "import",
  6: "erased",
} as const;
export type EntryReason = keyof typeof REASON_CODES;

/** A status moved from `from` to `to` for one profile and consent. */
export interface StatusChangeEntry {
  kind: "status_change";
  /** The profile's integer key in its tenant's log (not the tenant's external id). */
  profile: number;
  /** The consent's key (slug). */
  consent: string;
  consentVersion: number;
  from: EntryStatus;
  to: EntryStatus;
  reason: EntryReason;
  /** Which key made the change, or `cron` for expiry. */
  actor: string;
  occurredAt: number;
  recordedAt: number;
}

/** A profile key was bound to a commitment to the tenant's external id (profileCommitment). */
export interface ProfileBindingEntry {
  kind: "profile_binding";
  profile: number;
  commitment: Uint8Array;
  recordedAt: number;
}

/** A profile was erased: its salt is deleted, so its binding can no longer be opened. */
export interface ErasureEntry {
  kind: "erasure";
  profile: number;
  reason: string;
  recordedAt: number;
}

export type Entry = StatusChangeEntry | ProfileBindingEntry | ErasureEntry;

/** Decoding either gives the entry or says what is wrong with the bytes. */
export type DecodedEntry =
  | { ok: true; entry: Entry }
  | { ok: false; error: "MALFORMED_ENTRY"; message: string };

/** The largest byte length of a `str` field (its length prefix is a u16). */
export const MAX_STRING_BYTES = 65_535;

/** Appends big-endian fields; each method checks its value fits, throwing RangeError if not. */
class Writer {
  private readonly parts: Uint8Array[] = [];

  /** Appends `size` bytes written through a DataView. */
  private fixed(size: number, write: (view: DataView) => void): void {
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer));
    this.parts.push(bytes);
  }

  /** Appends an unsigned byte. */
  u8(value: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) {
      throw new RangeError(`${field} ${value} is not a u8`);
    }
    this.fixed(1, (view) => view.setUint8(0, value));
  }

  /** Appends a big-endian unsigned 32-bit integer. */
  u32(value: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new RangeError(`${field} ${value} is not a u32`);
    }
    this.fixed(4, (view) => view.setUint32(0, value));
  }

  /** Appends a big-endian unsigned 64-bit integer (a safe integer, so at most 2^53 − 1). */
  u64(value: number, field: string): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${field} ${value} is not a non-negative safe integer`);
    }
    this.fixed(8, (view) => view.setBigUint64(0, BigInt(value)));
  }

  /** Appends a big-endian two's-complement 64-bit integer (a safe integer). */
  i64(value: number, field: string): void {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${field} ${value} is not a safe integer`);
    }
    this.fixed(8, (view) => view.setBigInt64(0, BigInt(value)));
  }

  /** Appends a u16 byte length and the UTF-8 bytes of well-formed text. */
  str(value: string, field: string): void {
    if (typeof value !== "string") {
      throw new TypeError(`${field} is not a string`);
    }
    let bytes: Uint8Array;
    try {
      bytes = utf8Encode(value);
    } catch {
      throw new TypeError(`${field} is not well-formed Unicode (lone surrogate)`);
    }
    if (bytes.length > MAX_STRING_BYTES) {
      throw new RangeError(
        `${field} is ${bytes.length} UTF-8 bytes, more than ${MAX_STRING_BYTES}`,
      );
    }
    this.fixed(2, (view) => view.setUint16(0, bytes.length));
    this.parts.push(bytes);
  }

  /** Appends exactly `size` bytes as they are. */
  raw(value: Uint8Array, size: number, field: string): void {
    if (!(value instanceof Uint8Array) || value.length !== size) {
      throw new TypeError(`${field} is not ${size} bytes`);
    }
    this.parts.push(value.slice());
  }

  /** Everything appended, as one array. */
  bytes(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

/** A code's name in a code table, or undefined for an unknown code. */
function nameOf<T extends Record<number, string>>(table: T, code: number): T[keyof T] | undefined {
  return Object.hasOwn(table, code) ? table[code as keyof T] : undefined;
}

/** A name's code in a code table, throwing TypeError for an unknown name. */
function codeOf<T extends Record<string, number>>(table: T, name: unknown, field: string): number {
  if (typeof name !== "string" || !Object.hasOwn(table, name)) {
    throw new TypeError(`${field} ${JSON.stringify(name)} has no code`);
  }
  return table[name] as number;
}

/**
 * The canonical bytes of an entry, the data of its log leaf. Throws (TypeError, RangeError) on a
 * field the encoding cannot hold: the entry comes from Lapse's own code, so that is a bug.
 */
export function encodeEntry(entry: Entry): Uint8Array {
  const w = new Writer();
  w.u8(ENTRY_VERSION, "version");
  w.u8(codeOf(ENTRY_KIND_CODES, entry.kind, "kind"), "kind");
  w.u64(entry.profile, "profile");
  switch (entry.kind) {
    case "status_change":
      w.str(entry.consent, "consent");
      w.u32(entry.consentVersion, "consentVersion");
      w.u8(codeOf(STATUS_CODES, entry.from, "from"), "from");
      w.u8(codeOf(STATUS_CODES, entry.to, "to"), "to");
      w.u8(codeOf(REASON_CODES, entry.reason, "reason"), "reason");
      w.str(entry.actor, "actor");
      w.i64(entry.occurredAt, "occurredAt");
      w.i64(entry.recordedAt, "recordedAt");
      break;
    case "profile_binding":
      w.raw(entry.commitment, HASH_SIZE, "commitment");
      w.i64(entry.recordedAt, "recordedAt");
      break;
    case "erasure":
      w.str(entry.reason, "reason");
      w.i64(entry.recordedAt, "recordedAt");
      break;
  }
  return w.bytes();
}

/** The RFC 6962 leaf hash of an entry: leafHash(encodeEntry(entry)). */
export function entryLeafHash(entry: Entry): Uint8Array {
  return leafHash(encodeEntry(entry));
}

/** Thrown inside decodeEntry only, and turned into its MALFORMED_ENTRY value. */
class Malformed extends Error {}

/** Reads big-endian fields, throwing Malformed past the end or on a value out of range. */
class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Claims the next `size` bytes, returning their offset. */
  private take(size: number, field: string): number {
    if (this.offset + size > this.bytes.length) {
      throw new Malformed(`the entry ends inside ${field}`);
    }
    const at = this.offset;
    this.offset += size;
    return at;
  }

  /** Reads an unsigned byte. */
  u8(field: string): number {
    return this.view.getUint8(this.take(1, field));
  }

  /** Reads a big-endian unsigned 32-bit integer. */
  u32(field: string): number {
    return this.view.getUint32(this.take(4, field));
  }

  /** Reads a big-endian unsigned 64-bit integer, refusing one a number cannot hold. */
  u64(field: string): number {
    const value = this.view.getBigUint64(this.take(8, field));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Malformed(`${field} exceeds 2^53 − 1`);
    }
    return Number(value);
  }

  /** Reads a big-endian signed 64-bit integer, refusing one a number cannot hold. */
  i64(field: string): number {
    const value = this.view.getBigInt64(this.take(8, field));
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Malformed(`${field} is outside ±(2^53 − 1)`);
    }
    return Number(value);
  }

  /** Reads a u16 length and that many bytes of strict UTF-8. */
  str(field: string): string {
    const length = this.view.getUint16(this.take(2, field));
    const at = this.take(length, field);
    const text = utf8Decode(this.bytes.subarray(at, at + length));
    if (text === undefined) {
      throw new Malformed(`${field} is not valid UTF-8`);
    }
    return text;
  }

  /** Reads exactly `size` bytes, as a copy. */
  raw(size: number, field: string): Uint8Array {
    const at = this.take(size, field);
    return this.bytes.slice(at, at + size);
  }

  /** Reads a u8 code and names it from `table`, refusing an unknown code. */
  code<T extends Record<number, string>>(table: T, field: string): T[keyof T] {
    const code = this.u8(field);
    const name = nameOf(table, code);
    if (name === undefined) {
      throw new Malformed(`unknown ${field} code ${code}`);
    }
    return name;
  }

  /** Refuses trailing bytes: an entry has exactly one encoding. */
  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new Malformed(`${this.bytes.length - this.offset} bytes after the entry`);
    }
  }
}

/**
 * Decodes canonical entry bytes strictly: version 1 only, known kind, status and reason codes,
 * valid UTF-8, integers a number holds exactly, and no trailing bytes. Total on any input.
 */
export function decodeEntry(bytes: Uint8Array): DecodedEntry {
  if (!(bytes instanceof Uint8Array)) {
    return { ok: false, error: "MALFORMED_ENTRY", message: "an entry is bytes" };
  }
  try {
    const r = new Reader(bytes);
    const version = r.u8("version");
    if (version !== ENTRY_VERSION) {
      throw new Malformed(`unknown entry version ${version}`);
    }
    const kind = r.code(ENTRY_KIND_BY_CODE, "kind");
    const profile = r.u64("profile");
    let entry: Entry;
    switch (kind) {
      case "status_change": {
        const consent = r.str("consent");
        const consentVersion = r.u32("consentVersion");
        const from = r.code(STATUS_BY_CODE, "from");
        const to = r.code(STATUS_BY_CODE, "to");
        const reason = r.code(REASON_BY_CODE, "reason");
        const actor = r.str("actor");
        const occurredAt = r.i64("occurredAt");
        const recordedAt = r.i64("recordedAt");
        entry = {
          kind,
          profile,
          consent,
          consentVersion,
          from,
          to,
          reason,
          actor,
          occurredAt,
          recordedAt,
        };
        break;
      }
      case "profile_binding": {
        const commitment = r.raw(HASH_SIZE, "commitment");
        entry = { kind, profile, commitment, recordedAt: r.i64("recordedAt") };
        break;
      }
      case "erasure": {
        const reason = r.str("reason");
        entry = { kind, profile, reason, recordedAt: r.i64("recordedAt") };
        break;
      }
    }
    r.end();
    return { ok: true, entry };
  } catch (error) {
    if (error instanceof Malformed) {
      return { ok: false, error: "MALFORMED_ENTRY", message: error.message };
    }
    throw error;
  }
}

/** The salt of a profile commitment is exactly this many random bytes (README: why fixed). */
export const PROFILE_SALT_SIZE = 32;
const COMMITMENT_DOMAIN = utf8Encode("lapse-profile/1");

/**
 * The commitment that binds a profile key to a tenant's external id without revealing it:
 * SHA-256("lapse-profile/1" ‖ 0x00 ‖ salt ‖ UTF-8(externalId)). With the 32 random salt bytes
 * it opens (salt and id shown) to exactly one id; with the salt deleted it links to none.
 */
export function profileCommitment(salt: Uint8Array, externalId: string): Uint8Array {
  if (!(salt instanceof Uint8Array) || salt.length !== PROFILE_SALT_SIZE) {
    throw new RangeError(`a profile salt is ${PROFILE_SALT_SIZE} random bytes`);
  }
  if (typeof externalId !== "string") {
    throw new TypeError("an external id is a string");
  }
  return sha256(concatBytes(COMMITMENT_DOMAIN, Uint8Array.of(0x00), salt, utf8Encode(externalId)));
}

/** A fresh random salt for profileCommitment (WebCrypto's CSPRNG). */
export function generateProfileSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(PROFILE_SALT_SIZE));
}
