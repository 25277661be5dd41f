/**
 * C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank line, then one or
 * more lines `— <key name> <base64(4-byte key id ‖ signature)>`, em dash U+2014. Only Ed25519.
 */
import {
  concatBytes,
  decodeBase64,
  encodeBase64,
  hasControlCharacter,
  isWellFormed,
  utf8Decode,
  utf8Encode,
} from "./bytes.ts";
import {
  importPublicKey,
  importSeed,
  isValidKeyName,
  own,
  parseVerifierKey,
  type SignerKey,
  sameVerifierKey,
  toSignerKey,
  type VerifierKey,
} from "./note-keys.ts";

/**
 * At most this many signature lines are read. The spec asks to accept at least 16; Go's
 * sumdb/note refuses more than 100, and so does this, bounding the work a note can cause.
 */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = "\u2014 ";

/** Why a note did not open. */
export type NoteError =
  /** Not a signed note: syntax, encoding, control characters, too many signatures. */
  | "MALFORMED_NOTE"
  /** No signature line is from a key the caller trusts. */
  | "UNKNOWN_KEY"
  /** A signature from a trusted key does not verify: the whole note is refused. */
  | "BAD_SIGNATURE"
  /** Two different trusted keys share the name and id of a signature line. */
  | "AMBIGUOUS_KEY";

/** An opened note: its text (with the final newline) and the names of the keys that verified it. */
export type OpenedNote =
  | { ok: true; text: string; verifiedBy: string[] }
  | { ok: false; error: NoteError; message: string };

/** True for text a note may carry: well-formed, ending in "\n", no control character but "\n". */
export function isValidNoteText(text: string): boolean {
  return (
    typeof text === "string" &&
    text.endsWith("\n") &&
    isWellFormed(text) &&
    !hasControlCharacter(text, true)
  );
}

/** The 4-byte big-endian form of a key id, which starts every signature. */
function idBytes(id: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, id);
  return bytes;
}

/**
 * Signs `text` (which must end in "\n" and hold no control character but newlines) with an
 * Ed25519 signer key, returning the signed note. Deterministic: Ed25519 signatures are.
 */
export async function signNote(text: string, signerKey: string | SignerKey): Promise<string> {
  if (!isValidNoteText(text)) {
    throw new TypeError(
      "note text must be well-formed, end with a newline and hold no other control characters",
    );
  }
  const key = await toSignerKey(signerKey);
  const privateKey = await importSeed(key.seed);
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, privateKey, own(utf8Encode(text))),
  );
  const line = `${SIGNATURE_PREFIX}${key.name} ${encodeBase64(concatBytes(idBytes(key.id), signature))}\n`;
  return `${text}\n${line}`;
}

interface SignatureLine {
  name: string;
  id: number;
  signature: Uint8Array;
}

/** Splits a note into its text and signature lines; a message says what is malformed. */
function parseNote(note: string): { text: string; lines: SignatureLine[] } | { message: string } {
  if (!isWellFormed(note) || hasControlCharacter(note, true)) {
    return { message: "a note is well-formed text with no control characters but newlines" };
  }
  if (!note.endsWith("\n")) {
    return { message: "a note ends with a newline" };
  }
  const split = note.lastIndexOf("\n\n");
  if (split < 0) {
    return { message: "no blank line before the signatures" };
  }
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2, -1);
  if (block.length === 0) {
    return { message: "no signature lines" };
  }
  const rawLines = block.split("\n");
  if (rawLines.length > MAX_NOTE_SIGNATURES) {
    return { message: `more than ${MAX_NOTE_SIGNATURES} signatures` };
  }
  const lines: SignatureLine[] = [];
  for (const raw of rawLines) {
    if (!raw.startsWith(SIGNATURE_PREFIX)) {
      return { message: `not a signature line: ${JSON.stringify(raw.slice(0, 40))}` };
    }
    const body = raw.slice(SIGNATURE_PREFIX.length);
    const space = body.indexOf(" ");
    const name = space < 0 ? "" : body.slice(0, space);
    const decoded = space < 0 ? undefined : decodeBase64(body.slice(space + 1));
    if (!isValidKeyName(name) || decoded === undefined || decoded.length < 5) {
      return { message: `malformed signature line: ${JSON.stringify(raw.slice(0, 40))}` };
    }
    const id = new DataView(decoded.buffer, decoded.byteOffset, 4).getUint32(0);
    lines.push({ name, id, signature: decoded.slice(4) });
  }
  return { text, lines };
}

/**
 * True when `signature` is a valid Ed25519 signature of `message`. A signature WebCrypto cannot
 * even parse is invalid, not an exception: it comes from the network.
 */
async function verifyEd25519(
  publicKey: CryptoKey,
  signature: Uint8Array,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (signature.length !== 64) {
    return false;
  }
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, publicKey, own(signature), message);
  } catch {
    return false;
  }
}

/** Verifier keys given as text or parsed; throws TypeError on bad text (it is configuration). */
function toVerifierKeys(keys: readonly (string | VerifierKey)[]): VerifierKey[] {
  return keys.map((key) => {
    if (typeof key !== "string") {
      return key;
    }
    const parsed = parseVerifierKey(key);
    if (!parsed.ok) {
      throw new TypeError(`invalid verifier key: ${parsed.message}`);
    }
    return parsed.key;
  });
}

/**
 * Opens a signed note: parses it, verifies every signature line whose key name and id match a
 * trusted verifier key, and ignores the others (C2SP: unknown keys, e.g. a witness's, are not an
 * error). Succeeds when at least one trusted key verified and none failed. Never throws on the
 * note (network data); throws TypeError only for a malformed verifier key text (configuration).
 */
export async function openNote(
  note: string | Uint8Array,
  verifierKeys: readonly (string | VerifierKey)[],
): Promise<OpenedNote> {
  const trusted = toVerifierKeys(verifierKeys);
  const noteText = typeof note === "string" ? note : utf8Decode(note);
  if (typeof noteText !== "string") {
    return { ok: false, error: "MALFORMED_NOTE", message: "a note is UTF-8 text" };
  }
  const parsed = parseNote(noteText);
  if ("message" in parsed) {
    return { ok: false, error: "MALFORMED_NOTE", message: parsed.message };
  }
  const message = own(utf8Encode(parsed.text));
  const verifiedBy: string[] = [];
  for (const line of parsed.lines) {
    const matches = trusted.filter((key) => key.name === line.name && key.id === line.id);
    const [key, ...others] = matches;
    if (key === undefined) {
      continue;
    }
    if (others.some((other) => !sameVerifierKey(key, other))) {
      return {
        ok: false,
        error: "AMBIGUOUS_KEY",
        message: `two trusted keys are named ${line.name} with the same key id`,
      };
    }
    const publicKey = await importPublicKey(key.publicKey);
    if (!(await verifyEd25519(publicKey, line.signature, message))) {
      return {
        ok: false,
        error: "BAD_SIGNATURE",
        message: `the signature of ${line.name} does not verify`,
      };
    }
    if (!verifiedBy.includes(line.name)) {
      verifiedBy.push(line.name);
    }
  }
  if (verifiedBy.length === 0) {
    return { ok: false, error: "UNKNOWN_KEY", message: "no signature from a trusted key" };
  }
  return { ok: true, text: parsed.text, verifiedBy };
}
