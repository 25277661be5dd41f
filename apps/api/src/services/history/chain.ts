/**
 * The tamper-evident proof trail: every history entry carries the hash of the previous entry
 * of its profile, and `history_head` anchors the last one (so deleting the newest entry shows
 * too). An entry's hash is SHA-256 over the previous hash and the entry's fields in a fixed
 * order. A unique index on (tenant, profile, prev_hash) keeps each chain a line: two writers
 * appending to the same profile at once cannot both succeed, and the loser retries.
 */

export const GENESIS = "";

/** The fields an entry's hash covers, in their fixed order. */
export interface ChainedFields {
  profileId: string;
  consentId: string;
  consentKey: string;
  consentVersion: number;
  from: string;
  to: string;
  reason: string;
  actor: string;
  occurredAt: number;
  recordedAt: number;
}

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of the previous hash and the entry, hex. */
export async function entryHash(
  tenantId: string,
  prevHash: string,
  entry: ChainedFields,
): Promise<string> {
  const canonical = JSON.stringify([
    tenantId,
    prevHash,
    entry.profileId,
    entry.consentId,
    entry.consentKey,
    entry.consentVersion,
    entry.from,
    entry.to,
    entry.reason,
    entry.actor,
    entry.occurredAt,
    entry.recordedAt,
  ]);
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(canonical)));
}

export interface Chained<T extends ChainedFields> {
  entry: T;
  prevHash: string;
  hash: string;
}

/**
 * Links entries, in the order given, to their profiles' chains, starting from each profile's
 * current head. Returns the linked entries and each profile's new head.
 */
export async function link<T extends ChainedFields>(
  tenantId: string,
  heads: ReadonlyMap<string, string>,
  entries: readonly T[],
): Promise<{ linked: Chained<T>[]; heads: Map<string, { hash: string; added: number }> }> {
  const next = new Map<string, { hash: string; added: number }>();
  const linked: Chained<T>[] = [];
  for (const entry of entries) {
    const prev = next.get(entry.profileId)?.hash ?? heads.get(entry.profileId) ?? GENESIS;
    const hash = await entryHash(tenantId, prev, entry);
    linked.push({ entry, prevHash: prev, hash });
    next.set(entry.profileId, { hash, added: (next.get(entry.profileId)?.added ?? 0) + 1 });
  }
  return { linked, heads: next };
}
