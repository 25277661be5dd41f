import { bytesEqual, leafHash, leafInput } from "@lapse/proof";
import { type EntryRow, entryOfRow } from "./entries.ts";
import { encodeEntryFast } from "./fast-encode.ts";

/**
 * What a check of the log (R11) can find, each kind naming a tamper:
 * - `edited`: an entry's fields are not what the tree holds at its index;
 * - `missing`: an entry the tree holds is gone from the log (deleted, maybe with the later
 *   entries renumbered to hide the hole);
 * - `reordered`: an entry stands at another entry's index;
 * - `inserted`: an entry the tree never held was put in the middle of the log;
 * - `truncated`: the log and its tree end before a checkpoint signed earlier;
 * - `tree`: the stored tree does not hash to the root its signed checkpoint commits to (the
 *   tiles or the tree row were rewritten);
 * - `signature`: a checkpoint is not signed by the log's key (forged, or no checkpoint at all);
 * - `rollback`: the newest checkpoint is older than the tree, or than a checkpoint kept earlier;
 * - `inconsistent`: an earlier checkpoint's tree is not a prefix of today's (a forked history);
 * - `binding`: a profile id is not bound to its profile key by exactly one binding entry.
 */
export type LogProblemKind =
  | "edited"
  | "missing"
  | "reordered"
  | "inserted"
  | "truncated"
  | "tree"
  | "signature"
  | "rollback"
  | "inconsistent"
  | "binding";

export interface LogProblem {
  kind: LogProblemKind;
  /** The log index (leaf index) the problem is about, when it is about one entry. */
  index?: number;
  message: string;
}

/** SHA-256, replaceable (the Node CLI passes node:crypto's, several times faster). */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

/** The leaf hash of a row's canonical entry, or null when no entry can be rebuilt from it. */
export function rowLeafHash(row: EntryRow, sha256?: Sha256): Uint8Array | null {
  const rebuilt = entryOfRow(row);
  if (!rebuilt.ok) {
    return null;
  }
  try {
    const bytes = encodeEntryFast(rebuilt.entry);
    return sha256 === undefined ? leafHash(bytes) : sha256(leafInput(bytes));
  } catch {
    return null; // A field the encoding cannot hold: set by hand.
  }
}

/** What the classification reads: the log's rows' hashes and the tree's leaves, by index. */
export interface LeafView {
  /** The tree's size: leaves exist for 0 ≤ i < size. */
  size: number;
  /** The tree's leaf hash at i (undefined when not known to the caller). */
  leaf(i: number): Uint8Array | undefined;
  /**
   * The leaf hash of the log's entry at i: a hash, null when the row cannot be rebuilt,
   * undefined when there is no row (or the caller did not read it).
   */
  entry(i: number): Uint8Array | null | undefined;
  /** The index of a tree leaf equal to `hash`, other than `not`, if the caller knows one. */
  find(hash: Uint8Array, not: number): number | undefined;
}

const same = (a: Uint8Array | null | undefined, b: Uint8Array | undefined) =>
  a !== null && a !== undefined && b !== undefined && bytesEqual(a, b);

/**
 * Names what happened at the indices below the tree's size where the log's entry does not
 * hash to the tree's leaf or is absent (`positions`, ascending), one problem per tamper: a
 * renumbering after a deletion or an insertion shifts every later entry by one, and those
 * shifted entries (and the hole a renumbering leaves at the end) are the same tamper.
 */
export function classifyMismatches(positions: readonly number[], view: LeafView): LogProblem[] {
  const problems: LogProblem[] = [];
  const absorbed = new Set<number>();
  const absent: number[] = [];
  for (const i of positions) {
    if (absorbed.has(i)) {
      continue;
    }
    const hash = view.entry(i);
    if (hash === undefined) {
      absent.push(i);
      continue;
    }
    if (same(hash, view.leaf(i + 1))) {
      // Shifted down: the entry of index i was deleted and the later ones renumbered.
      let j = i + 1;
      while (j < view.size && same(view.entry(j), view.leaf(j + 1))) {
        absorbed.add(j);
        j++;
      }
      if (j === view.size - 1 && view.entry(j) === undefined) {
        absorbed.add(j); // The hole the renumbering left at the end.
      }
      problems.push({
        kind: "missing",
        index: i,
        message: `Log entry ${i} was deleted and the later entries renumbered to hide it: the entry now at index ${i} is the one the signed tree holds at ${i + 1}.`,
      });
      continue;
    }
    if (same(view.entry(i + 1), view.leaf(i))) {
      // The entries after i are shifted up by one: the one at i was inserted.
      let j = i + 1;
      while (same(view.entry(j), view.leaf(j - 1))) {
        absorbed.add(j);
        j++;
      }
      problems.push({
        kind: "inserted",
        index: i,
        message: `Log entry ${i} was inserted: the signed tree never held it, and the entries after it are shifted by one.`,
      });
      continue;
    }
    const other = hash === null ? undefined : view.find(hash, i);
    if (other !== undefined) {
      absorbed.add(other);
      problems.push({
        kind: "reordered",
        index: i,
        message: `Log entries ${Math.min(i, other)} and ${Math.max(i, other)} were re-ordered: the entry at index ${i} is the one the signed tree holds at ${other}.`,
      });
      continue;
    }
    problems.push({
      kind: "edited",
      index: i,
      message:
        hash === null
          ? `Log entry ${i} was edited: its row no longer makes a valid entry (a code, its consent or its actor was changed or removed).`
          : `Log entry ${i} was edited: its fields do not hash to the leaf the signed tree holds at ${i}.`,
    });
  }
  return [...problems, ...missingRuns(absent)].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}

/** Runs of consecutive indices, as [first, last] pairs. */
export function runsOf(indices: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) {
      last[1] = i;
    } else {
      runs.push([i, i]);
    }
  }
  return runs;
}

/** One `missing` problem per run of absent indices the tree holds leaves for. */
export function missingRuns(absent: readonly number[]): LogProblem[] {
  return runsOf(absent).map(([first, last]) => ({
    kind: "missing" as const,
    index: first,
    message:
      first === last
        ? `Log entry ${first} is missing: the signed tree holds it, the log no longer does.`
        : `Log entries ${first}…${last} are missing: the signed tree holds them, the log no longer does.`,
  }));
}
