import { bytesEqual, type Entry, encodeEntry, REASON_CODES, STATUS_CODES } from "@lapse/proof";

/**
 * The canonical bytes of a status-change entry (docs/proof.md: entry encoding), written
 * straight into one buffer with the UTF-8 of repeated strings (consent keys, actor names)
 * cached: the tenant-wide check encodes a million entries, and @lapse/proof's general encoder
 * spends most of that time. Anything out of the ordinary (another kind, a field out of range, a
 * string that is not well-formed) goes to encodeEntry, which stays the definition: every
 * FAST_CHECK_EVERY-th entry is also encoded by it and compared, and a difference throws.
 */

const FAST_CHECK_EVERY = 997;
const utf8 = new TextEncoder();
const strings = new Map<string, Uint8Array | null>();
let count = 0;

function stringBytes(text: string): Uint8Array | null {
  let bytes = strings.get(text);
  if (bytes === undefined) {
    // Lone surrogates (which encodeEntry refuses) do not survive a UTF-8 round trip.
    const encoded = utf8.encode(text);
    bytes = new TextDecoder().decode(encoded) === text ? encoded : null;
    if (bytes !== null && bytes.length > 65_535) {
      bytes = null;
    }
    if (strings.size > 100_000) {
      strings.clear();
    }
    strings.set(text, bytes);
  }
  return bytes;
}

const isU = (n: number, max: number) => Number.isSafeInteger(n) && n >= 0 && n <= max;

function fastStatusChange(entry: Extract<Entry, { kind: "status_change" }>): Uint8Array | null {
  const consent = stringBytes(entry.consent);
  const actor = stringBytes(entry.actor);
  const from = STATUS_CODES[entry.from];
  const to = STATUS_CODES[entry.to];
  const reason = REASON_CODES[entry.reason];
  if (
    consent === null ||
    actor === null ||
    from === undefined ||
    to === undefined ||
    reason === undefined ||
    !isU(entry.profile, Number.MAX_SAFE_INTEGER) ||
    !isU(entry.consentVersion, 0xffff_ffff) ||
    !Number.isSafeInteger(entry.occurredAt) ||
    !Number.isSafeInteger(entry.recordedAt)
  ) {
    return null;
  }
  const out = new Uint8Array(2 + 8 + 2 + consent.length + 4 + 3 + 2 + actor.length + 16);
  const view = new DataView(out.buffer);
  let o = 0;
  out[o++] = 1;
  out[o++] = 1;
  view.setUint32(o, Math.floor(entry.profile / 2 ** 32));
  view.setUint32(o + 4, entry.profile >>> 0);
  o += 8;
  view.setUint16(o, consent.length);
  out.set(consent, o + 2);
  o += 2 + consent.length;
  view.setUint32(o, entry.consentVersion);
  o += 4;
  out[o++] = from;
  out[o++] = to;
  out[o++] = reason;
  view.setUint16(o, actor.length);
  out.set(actor, o + 2);
  o += 2 + actor.length;
  view.setBigInt64(o, BigInt(entry.occurredAt));
  view.setBigInt64(o + 8, BigInt(entry.recordedAt));
  return out;
}

/** encodeEntry(entry), faster for status changes; throws where encodeEntry throws. */
export function encodeEntryFast(entry: Entry): Uint8Array {
  const fast = entry.kind === "status_change" ? fastStatusChange(entry) : null;
  if (fast === null) {
    return encodeEntry(entry);
  }
  count += 1;
  if (count % FAST_CHECK_EVERY === 1 && !bytesEqual(fast, encodeEntry(entry))) {
    throw new Error("The fast entry encoder disagrees with @lapse/proof's encodeEntry: a bug.");
  }
  return fast;
}
