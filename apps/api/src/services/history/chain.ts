/**
 * The tamper-evident proof trail: every history entry carries the hash of the previous entry
 * of its profile, and `history_head` anchors the last one (so deleting the newest entry shows
 * too). An entry's hash is SHA-256 over the previous hash and the entry's fields in a fixed
 * order. Triggers keep each chain a line (migration 0003): the database refuses a line whose
 * `prev_hash` is not its profile's head, and every line moves the head. Two writers appending
 * to the same profile at once cannot both succeed, and the loser retries.
 */

import { sha256Hex } from "../../hex.ts";

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
  return sha256Hex(canonical);
}

export interface Chained<T extends ChainedFields> {
  entry: T;
  prevHash: string;
  hash: string;
}

/**
 * Links entries, in the order given, to their profiles' chains, starting from each profile's
 * current head. The database moves the heads as the lines are inserted.
 */
export async function link<T extends ChainedFields>(
  tenantId: string,
  heads: ReadonlyMap<string, string>,
  entries: readonly T[],
): Promise<{ linked: Chained<T>[] }> {
  const last = new Map<string, string>();
  const linked: Chained<T>[] = [];
  for (const entry of entries) {
    const prev = last.get(entry.profileId) ?? heads.get(entry.profileId) ?? GENESIS;
    const hash = await entryHash(tenantId, prev, entry);
    linked.push({ entry, prevHash: prev, hash });
    last.set(entry.profileId, hash);
  }
  return { linked };
}

/** An entry as stored: its fields, its place in the trail and its links. */
export interface StoredEntry extends ChainedFields {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface ChainProblem {
  /** The entry where the chain breaks; null for a problem at its end (the head). */
  seq: number | null;
  kind: "edited" | "missing" | "head";
  message: string;
}

/**
 * Checks one profile's trail, given in `seq` order, against its recorded head: each entry's
 * hash matches its content and predecessor, each entry follows the previous one, and the last
 * one is the head. Edited, deleted (the newest included) and re-ordered entries all show.
 */
export async function checkChain(
  tenantId: string,
  rows: readonly StoredEntry[],
  head: { hash: string; entries: number } | undefined,
): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  let previous = GENESIS;
  for (const row of rows) {
    if (row.prevHash !== previous) {
      problems.push({
        seq: row.seq,
        kind: "missing",
        message: "The entry before this one is missing or was changed: the chain is broken here.",
      });
    }
    if ((await entryHash(tenantId, row.prevHash, row)) !== row.hash) {
      problems.push({ seq: row.seq, kind: "edited", message: "This entry's content was changed." });
    }
    previous = row.hash;
  }
  if ((head?.hash ?? GENESIS) !== previous || (head?.entries ?? 0) !== rows.length) {
    problems.push({
      seq: null,
      kind: "head",
      message: `The trail holds ${rows.length} entries but ${head?.entries ?? 0} were recorded: the newest entries are missing or were changed.`,
    });
  }
  return problems;
}
