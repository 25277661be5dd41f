/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text that commits a log to a tree
 *   <origin>\n<tree size in decimal>\n<base64 root hash>\n[<extension line>\n]*
 * signed as a signed note by the log's key (whose name should be the origin).
 */
import { decodeBase64, encodeBase64, hasControlCharacter, isWellFormed } from "./bytes.ts";
import { isHash, isTreeSize } from "./hash.ts";
import { type OpenedNote, openNote, signNote } from "./note.ts";
import type { SignerKey, VerifierKey } from "./note-keys.ts";

/** A tree head: which log (`origin`), how many leaves, and the RFC 6962 root of those leaves. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** Opaque, non-empty extra lines; the spec discourages them (monitors cannot audit them). */
  extensions?: readonly string[];
}

/** Parsing or opening a checkpoint either gives it or says why not. */
export type CheckpointResult =
  | { ok: true; checkpoint: Checkpoint }
  | { ok: false; error: "MALFORMED_CHECKPOINT"; message: string };

/** Decimal without leading zeros, "0" alone for the empty tree. */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** True for a line a checkpoint may carry: non-empty, well-formed, no control character. */
function isLine(line: unknown): line is string {
  return (
    typeof line === "string" && line.length > 0 && isWellFormed(line) && !hasControlCharacter(line)
  );
}

/** The checkpoint's note text, each line ending in "\n"; throws TypeError on an invalid field. */
export function formatCheckpoint({ origin, size, root, extensions = [] }: Checkpoint): string {
  if (!isLine(origin)) {
    throw new TypeError("the origin is a non-empty line without control characters");
  }
  if (!isTreeSize(size)) {
    throw new TypeError(`the tree size ${size} is not a non-negative safe integer`);
  }
  if (!isHash(root)) {
    throw new TypeError("the root is a 32-byte hash");
  }
  if (!extensions.every(isLine)) {
    throw new TypeError("an extension is a non-empty line without control characters");
  }
  return [origin, String(size), encodeBase64(root), ...extensions].map((l) => `${l}\n`).join("");
}

/**
 * Parses checkpoint note text strictly: origin non-empty, size decimal with no leading zero
 * (and at most 2^53 − 1, the largest size this package handles), root exactly 32 bytes in
 * canonical base64, extension lines non-empty, every line ending in "\n".
 */
export function parseCheckpoint(text: string): CheckpointResult {
  const fail = (message: string): CheckpointResult => ({
    ok: false,
    error: "MALFORMED_CHECKPOINT",
    message,
  });
  if (typeof text !== "string" || !text.endsWith("\n")) {
    return fail("checkpoint text ends with a newline");
  }
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split("\n");
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    return fail("a checkpoint has an origin, a size and a root line");
  }
  if (!isLine(origin)) {
    return fail("the origin line is empty or holds control characters");
  }
  if (!DECIMAL.test(sizeText)) {
    return fail("the size is decimal digits without leading zeros");
  }
  const size = Number(sizeText);
  if (!isTreeSize(size)) {
    return fail("the size exceeds 2^53 − 1");
  }
  const root = decodeBase64(rootText);
  if (root === undefined || !isHash(root)) {
    return fail("the root is a 32-byte hash in standard base64");
  }
  if (!extensions.every(isLine)) {
    return fail("an extension line is empty or holds control characters");
  }
  return {
    ok: true,
    checkpoint: extensions.length > 0 ? { origin, size, root, extensions } : { origin, size, root },
  };
}

/** Formats and signs a checkpoint: the signed note a log publishes. */
export function signCheckpoint(
  checkpoint: Checkpoint,
  signerKey: string | SignerKey,
): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signerKey);
}

/** The outcome of opening a signed checkpoint. */
export type OpenedCheckpoint =
  | { ok: true; checkpoint: Checkpoint; verifiedBy: string[] }
  | Extract<CheckpointResult, { ok: false }>
  | { ok: false; error: "WRONG_ORIGIN"; message: string }
  | Extract<OpenedNote, { ok: false }>;

/**
 * Opens a signed checkpoint: the note must verify under a trusted key, its text must parse, and
 * its origin must be `origin` (a checkpoint of another log proves nothing about this one).
 */
export async function openCheckpoint(
  note: string | Uint8Array,
  verifierKeys: readonly (string | VerifierKey)[],
  origin: string,
): Promise<OpenedCheckpoint> {
  const opened = await openNote(note, verifierKeys);
  if (!opened.ok) {
    return opened;
  }
  const parsed = parseCheckpoint(opened.text);
  if (!parsed.ok) {
    return parsed;
  }
  if (parsed.checkpoint.origin !== origin) {
    return {
      ok: false,
      error: "WRONG_ORIGIN",
      message: `the checkpoint is of ${JSON.stringify(parsed.checkpoint.origin)}`,
    };
  }
  return { ok: true, checkpoint: parsed.checkpoint, verifiedBy: opened.verifiedBy };
}
