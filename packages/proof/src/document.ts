/**
 * The proof document of one profile (`admin.profiles.proof`, format `lapse-proof/2`) and its
 * offline verifier. The document is what the API chose to show; the verifier trusts none of it
 * but the verifier key it is given, and checks that
 *   - the checkpoint is signed by that key and says what `log` says (origin, size, root);
 *   - every entry is canonical entry bytes whose leaf is in that signed tree at its index;
 *   - the entries are about one profile key, which exactly one binding entry ties to the
 *     document's `profileId` through its salt;
 *   - the indices are strictly increasing and inside the tree.
 * It does not check that the document shows every entry of the profile: only someone who reads
 * the whole log can. `states`, `consents`, `view`, `generatedAt` and `tenant` are informative:
 * nothing signs them.
 */
import { bytesEqual, decodeBase64, encodeBase64, isWellFormed, utf8Decode } from "./bytes.ts";
import { parseCheckpoint } from "./checkpoint.ts";
import { decodeEntry, type Entry, PROFILE_SALT_SIZE, profileCommitment } from "./entry.ts";
import { HASH_SIZE, isTreeSize, leafHash } from "./hash.ts";
import { openNote } from "./note.ts";
import { parseVerifierKey, type VerifierKey } from "./note-keys.ts";
import { verifyInclusion } from "./verify.ts";

/** The format this verifier reads; a document of any other format is refused as a whole. */
export const PROOF_DOCUMENT_FORMAT = "lapse-proof/2";

/** One log entry of the profile, with its inclusion proof against `log.treeSize`. */
export interface ProofDocumentEntry {
  /** The leaf index in the tenant's log. */
  index: number;
  /** Base64 of the canonical entry bytes (encodeEntry). */
  entry: string;
  /** Base64 hashes, the RFC 9162 inclusion proof of the leaf against `log.treeSize`. */
  inclusionProof: string[];
  /** The decoded entry as the API shows it (informative, not verified). */
  view: Record<string, unknown>;
}

/** The JSON document `admin.profiles.proof` answers, for a DPO to keep and check offline. */
export interface ProofDocument {
  format: typeof PROOF_DOCUMENT_FORMAT;
  /** ISO instant (informative). */
  generatedAt: string;
  /** Informative: the checkpoint's origin, not this, names the log. */
  tenant: { id: string; name: string };
  /** The tenant's external id of the customer. */
  profileId: string;
  /** The current states (informative, not verified). */
  states: unknown[];
  /** Consent wordings (informative, not verified). */
  consents: unknown[];
  log: {
    /** The checkpoint origin line. */
    origin: string;
    treeSize: number;
    /** Base64 of the 32-byte root. */
    rootHash: string;
    /** The signed note text: a C2SP tlog-checkpoint signed as a C2SP signed note. */
    checkpoint: string;
  };
  /** The profile's integer key in the log, and the salt (base64, 32 bytes) of its binding. */
  profile: { key: number; salt: string };
  entries: ProofDocumentEntry[];
}

/** What a problem is about; each names one check of the verifier. */
export type ProofProblemKind =
  /** The document is not a `lapse-proof/2` document: JSON, shape, base64, entry bytes. */
  | "malformed"
  /** The checkpoint is not signed by a given key (or no usable key was given). */
  | "signature"
  /** The signed checkpoint is not of this log, or says another size or root than `log`. */
  | "checkpoint"
  /** An entry's inclusion proof does not lead to the signed root. */
  | "inclusion"
  /** The entries are not tied to `profileId` by exactly one binding of the profile key. */
  | "binding"
  /** The indices are not strictly increasing, or lie outside the signed tree. */
  | "order";

export interface ProofProblem {
  kind: ProofProblemKind;
  /**
   * The position (0-based) in `entries` of the entry the problem is about, if it is one. Messages
   * count entries from 1 for people and add the log index: "Entry 3 (log index 40)".
   */
  index?: number;
  /** A plain sentence for a DPO. */
  message: string;
}

export interface ProofVerification {
  /** True when no problem was found: every check passed. */
  ok: boolean;
  /** The size of the checkpoint, once its signature verified and it parsed; null otherwise. */
  treeSize: number | null;
  /** Base64 of that checkpoint's root; null when `treeSize` is. */
  rootHash: string | null;
  /** How many entries the document lists (0 when `entries` is not a list). */
  entries: number;
  problems: ProofProblem[];
}

/**
 * An entry whose bytes decode: its position in `entries`, and its index and proof when they are
 * well-formed (the binding check needs only the entry, the inclusion check all of it).
 */
interface CheckedEntry {
  position: number;
  index: number | undefined;
  bytes: Uint8Array;
  entry: Entry;
  proof: Uint8Array[] | undefined;
}

/** The fields of the document the checks use, each undefined when it is malformed. */
interface CheckedDocument {
  profileId: string | undefined;
  origin: string | undefined;
  treeSize: number | undefined;
  rootHash: Uint8Array | undefined;
  checkpoint: string | undefined;
  profileKey: number | undefined;
  salt: Uint8Array | undefined;
  entries: CheckedEntry[];
  /** Every listed index that is a tree index, by position, for the order check. */
  indices: { position: number; index: number }[];
}

/** `2026-01-01T00:00:00Z`, with optional fractional seconds and a `Z` or `±hh:mm` offset. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === "string" && isWellFormed(value);
}

/** The bytes of a canonical base64 text of exactly `size` bytes, or undefined. */
function base64Of(value: unknown, size?: number): Uint8Array | undefined {
  if (typeof value !== "string") {
    return undefined;
  }
  const bytes = decodeBase64(value);
  return bytes !== undefined && (size === undefined || bytes.length === size) ? bytes : undefined;
}

/** The hashes of an inclusion proof given as a list of base64 texts, or undefined. */
function proofOf(value: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  const proof: Uint8Array[] = [];
  for (const text of value) {
    const hash = base64Of(text, HASH_SIZE);
    if (hash === undefined) {
      return undefined;
    }
    proof.push(hash);
  }
  return proof;
}

/** "Entry 3 (log index 17)": how messages name an entry, by position and, if known, index. */
function entryName(position: number, index?: number): string {
  return index === undefined
    ? `Entry ${position + 1}`
    : `Entry ${position + 1} (log index ${index})`;
}

/** The parsed JSON of a text or UTF-8 bytes, or undefined when it is not JSON. */
function parseJson(text: string | undefined): { value: unknown } | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * Checks the shape of everything below `format`, recording a `malformed` problem for each field
 * that is not what the format says, and keeping the well-formed fields for the other checks.
 */
function checkShape(document: Record<string, unknown>, problems: ProofProblem[]): CheckedDocument {
  const malformed = (message: string, index?: number) => {
    problems.push(
      index === undefined ? { kind: "malformed", message } : { kind: "malformed", index, message },
    );
  };
  const missing = (field: string, what: string) =>
    malformed(`The document's ${field} is missing or is not ${what}.`);

  if (
    typeof document.generatedAt !== "string" ||
    !ISO_INSTANT.test(document.generatedAt) ||
    Number.isNaN(Date.parse(document.generatedAt))
  ) {
    missing("generatedAt", "an ISO 8601 instant");
  }
  const tenant = document.tenant;
  if (!isRecord(tenant) || !isText(tenant.id) || !isText(tenant.name)) {
    missing("tenant", "an object with a text id and name");
  }
  const profileId = isText(document.profileId) ? document.profileId : undefined;
  if (profileId === undefined) {
    missing("profileId", "text");
  }
  if (!Array.isArray(document.states)) {
    missing("states", "a list");
  }
  if (!Array.isArray(document.consents)) {
    missing("consents", "a list");
  }

  const log = isRecord(document.log) ? document.log : undefined;
  if (log === undefined) {
    missing("log", "an object");
  }
  const origin = isText(log?.origin) && log.origin.length > 0 ? log.origin : undefined;
  const treeSize = isTreeSize(log?.treeSize) ? log.treeSize : undefined;
  const rootHash = base64Of(log?.rootHash, HASH_SIZE);
  const checkpoint = typeof log?.checkpoint === "string" ? log.checkpoint : undefined;
  if (log !== undefined) {
    if (origin === undefined) {
      missing("log.origin", "a non-empty text");
    }
    if (treeSize === undefined) {
      missing("log.treeSize", "a whole number of 0 or more");
    }
    if (rootHash === undefined) {
      missing("log.rootHash", "a 32-byte hash in base64");
    }
    if (checkpoint === undefined) {
      missing("log.checkpoint", "the text of a signed checkpoint");
    }
  }

  const profile = isRecord(document.profile) ? document.profile : undefined;
  const profileKey = isTreeSize(profile?.key) ? profile.key : undefined;
  const salt = base64Of(profile?.salt, PROFILE_SALT_SIZE);
  if (profile === undefined) {
    missing("profile", "an object");
  } else {
    if (profileKey === undefined) {
      missing("profile.key", "a whole number of 0 or more");
    }
    if (salt === undefined) {
      missing("profile.salt", `${PROFILE_SALT_SIZE} bytes in base64`);
    }
  }

  const entries: CheckedEntry[] = [];
  const indices: { position: number; index: number }[] = [];
  if (!Array.isArray(document.entries)) {
    missing("entries", "a list");
  } else {
    document.entries.forEach((item: unknown, position) => {
      if (!isRecord(item)) {
        malformed(`${entryName(position)} is not an object.`, position);
        return;
      }
      const index = isTreeSize(item.index) ? item.index : undefined;
      const name = entryName(position, index);
      const bytes = base64Of(item.entry);
      const proof = proofOf(item.inclusionProof);
      if (index === undefined) {
        malformed(`${name} has no log index (a whole number of 0 or more).`, position);
      } else {
        indices.push({ position, index });
      }
      if (bytes === undefined) {
        malformed(`${name} has no entry bytes in base64.`, position);
      }
      if (proof === undefined) {
        malformed(
          `${name} has no inclusion proof as a list of 32-byte hashes in base64.`,
          position,
        );
      }
      if (!isRecord(item.view)) {
        malformed(`${name} has no view object.`, position);
      }
      if (bytes === undefined) {
        return;
      }
      const decoded = decodeEntry(bytes);
      if (!decoded.ok) {
        malformed(`${name} is not a valid Lapse log entry: ${decoded.message}.`, position);
        return;
      }
      entries.push({ position, index, bytes, entry: decoded.entry, proof });
    });
  }
  return { profileId, origin, treeSize, rootHash, checkpoint, profileKey, salt, entries, indices };
}

/** The verifier keys to trust, recording a `signature` problem for each unusable one. */
function checkKeys(verifierKey: unknown, problems: ProofProblem[]): VerifierKey[] {
  const texts: unknown[] =
    typeof verifierKey === "string" ? [verifierKey] : Array.isArray(verifierKey) ? verifierKey : [];
  const keys: VerifierKey[] = [];
  texts.forEach((text, i) => {
    const parsed = typeof text === "string" ? parseVerifierKey(text) : undefined;
    const which = texts.length === 1 ? "The verifier key" : `Verifier key ${i + 1}`;
    if (parsed?.ok) {
      keys.push(parsed.key);
    } else {
      problems.push({
        kind: "signature",
        message: `${which} is not a valid key (${parsed?.message ?? "it is not text"}); a key reads <name>+<key id>+<base64 key>.`,
      });
    }
  });
  if (texts.length === 0) {
    problems.push({
      kind: "signature",
      message: "No verifier key was given to check the checkpoint with.",
    });
  }
  return keys;
}

/**
 * Opens the checkpoint with the keys and compares it with `log`; the signed size and root when
 * the signature verified, for the inclusion and order checks (undefined otherwise).
 */
async function checkCheckpoint(
  doc: CheckedDocument,
  keys: readonly VerifierKey[],
  problems: ProofProblem[],
): Promise<{ size: number; root: Uint8Array } | undefined> {
  if (doc.checkpoint === undefined || keys.length === 0) {
    return undefined;
  }
  const opened = await openNote(doc.checkpoint, keys);
  if (!opened.ok) {
    const message = {
      MALFORMED_NOTE: `The checkpoint is not a signed note (${opened.message}).`,
      UNKNOWN_KEY: `The checkpoint carries no signature from ${keys.length === 1 ? "the verifier key" : "any of the verifier keys"} given: it was signed by another key, or the key is not this log's.`,
      BAD_SIGNATURE: `The checkpoint's signature does not verify (${opened.message}): the checkpoint was altered after it was signed.`,
      AMBIGUOUS_KEY: `The verifier keys given are ambiguous (${opened.message}).`,
    }[opened.error];
    problems.push({ kind: "signature", message });
    return undefined;
  }
  const parsed = parseCheckpoint(opened.text);
  if (!parsed.ok) {
    problems.push({
      kind: "checkpoint",
      message: `The signed note is not a checkpoint (${parsed.message}).`,
    });
    return undefined;
  }
  const { origin, size, root } = parsed.checkpoint;
  if (doc.origin !== undefined && origin !== doc.origin) {
    problems.push({
      kind: "checkpoint",
      message: `The checkpoint is of the log ${JSON.stringify(origin)}, not of ${JSON.stringify(doc.origin)} as the document says.`,
    });
  }
  if (doc.treeSize !== undefined && size !== doc.treeSize) {
    problems.push({
      kind: "checkpoint",
      message: `The checkpoint is of a log of ${size} entries, not ${doc.treeSize} as the document says.`,
    });
  }
  if (doc.rootHash !== undefined && !bytesEqual(root, doc.rootHash)) {
    problems.push({
      kind: "checkpoint",
      message: "The checkpoint's root hash is not the one the document states.",
    });
  }
  return { size, root };
}

/** Each entry's leaf must be in the signed tree at its index, and the indices in order. */
function checkEntries(
  doc: CheckedDocument,
  signed: { size: number; root: Uint8Array } | undefined,
  problems: ProofProblem[],
): void {
  const size = signed?.size ?? doc.treeSize;
  let previous: { position: number; index: number } | undefined;
  for (const current of doc.indices) {
    const name = entryName(current.position, current.index);
    if (previous !== undefined && current.index <= previous.index) {
      problems.push({
        kind: "order",
        index: current.position,
        message: `${name} does not come after ${entryName(previous.position, previous.index)}: a document lists each entry once, in log order.`,
      });
    }
    if (size !== undefined && current.index >= size) {
      problems.push({
        kind: "order",
        index: current.position,
        message: `${name} lies outside the log, which holds ${size} entries at this checkpoint.`,
      });
    }
    previous = current;
  }
  if (signed === undefined) {
    return;
  }
  for (const { position, index, bytes, proof } of doc.entries) {
    if (index === undefined || proof === undefined || index >= signed.size) {
      continue; // Reported as `malformed` or `order` above.
    }
    if (!verifyInclusion(leafHash(bytes), index, signed.size, proof, signed.root)) {
      problems.push({
        kind: "inclusion",
        index: position,
        message: `${entryName(position, index)} is not proven to be in the signed log: its inclusion proof does not lead to the checkpoint's root.`,
      });
    }
  }
}

/** Every entry is about the profile key, which exactly one binding ties to `profileId`. */
function checkBinding(doc: CheckedDocument, problems: ProofProblem[]): void {
  const { profileKey, profileId, salt } = doc;
  if (profileKey === undefined) {
    return;
  }
  for (const { position, index, entry } of doc.entries) {
    if (entry.profile !== profileKey) {
      problems.push({
        kind: "binding",
        index: position,
        message: `${entryName(position, index)} is about profile key ${entry.profile}, not this profile's key ${profileKey}.`,
      });
    }
  }
  const bindings = doc.entries.filter(
    ({ entry }) => entry.kind === "profile_binding" && entry.profile === profileKey,
  );
  if (bindings.length === 0) {
    problems.push({
      kind: "binding",
      message: `No entry binds profile key ${profileKey} to a customer id, so nothing shows these entries are about ${JSON.stringify(profileId ?? "")}.`,
    });
    return;
  }
  if (profileId === undefined || salt === undefined) {
    return; // Reported as `malformed`: the binding cannot be opened without both.
  }
  const expected = profileCommitment(salt, profileId);
  let matched: CheckedEntry | undefined;
  for (const binding of bindings) {
    const name = entryName(binding.position, binding.index);
    const { entry } = binding;
    if (entry.kind !== "profile_binding") {
      continue;
    }
    if (!bytesEqual(entry.commitment, expected)) {
      problems.push({
        kind: "binding",
        index: binding.position,
        message: `${name} binds profile key ${profileKey} to another customer id than ${JSON.stringify(profileId)} (or with another salt).`,
      });
    } else if (matched !== undefined) {
      problems.push({
        kind: "binding",
        index: binding.position,
        message: `${name} binds profile key ${profileKey} a second time, after ${entryName(matched.position, matched.index)}.`,
      });
    } else {
      matched = binding;
    }
  }
}

/** The verification of a document whose problems were found; ok when there are none. */
function result(
  problems: ProofProblem[],
  entries: number,
  signed?: { size: number; root: Uint8Array },
): ProofVerification {
  return {
    ok: problems.length === 0,
    treeSize: signed?.size ?? null,
    rootHash: signed === undefined ? null : encodeBase64(signed.root),
    entries,
    problems,
  };
}

/**
 * Verifies a profile's proof document offline against the log's verifier key text
 * (`<name>+<hex id>+<base64 key>`), or several: a signature from any one of them suffices.
 * `document` is the parsed JSON, or its text, or its UTF-8 bytes. Total: any input gives a
 * ProofVerification, with every problem found named by kind, never a throw.
 */
export async function verifyProofDocument(
  document: unknown,
  verifierKey: string | readonly string[],
): Promise<ProofVerification> {
  const problems: ProofProblem[] = [];
  try {
    let value = document;
    if (typeof document === "string" || document instanceof Uint8Array) {
      const parsed = parseJson(typeof document === "string" ? document : utf8Decode(document));
      if (parsed === undefined) {
        problems.push({ kind: "malformed", message: "The document is not valid JSON text." });
        return result(problems, 0);
      }
      value = parsed.value;
    }
    if (!isRecord(value)) {
      problems.push({ kind: "malformed", message: "The document is not a JSON object." });
      return result(problems, 0);
    }
    if (value.format !== PROOF_DOCUMENT_FORMAT) {
      problems.push({
        kind: "malformed",
        message:
          typeof value.format === "string"
            ? `The document's format is ${JSON.stringify(value.format)}; this verifier reads ${JSON.stringify(PROOF_DOCUMENT_FORMAT)} documents only.`
            : `The document does not say its format; this verifier reads ${JSON.stringify(PROOF_DOCUMENT_FORMAT)} documents only.`,
      });
      return result(problems, 0);
    }
    const count = Array.isArray(value.entries) ? value.entries.length : 0;
    const doc = checkShape(value, problems);
    const keys = checkKeys(verifierKey, problems);
    const signed = await checkCheckpoint(doc, keys, problems);
    checkEntries(doc, signed, problems);
    checkBinding(doc, problems);
    return result(problems, count, signed);
  } catch {
    // Only a hostile object (a throwing getter, a Proxy) gets here: JSON data cannot throw. What
    // it threw is not echoed (reading it could throw again), nor what was found before.
    const message = "The document could not be read: it is not plain JSON data.";
    return result([{ kind: "malformed", message }], 0);
  }
}
