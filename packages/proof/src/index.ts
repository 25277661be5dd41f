/**
 * @lapse/proof — the math and formats of Lapse's transparency log as pure functions: RFC 6962
 * Merkle trees stored as C2SP tlog-tiles, inclusion and consistency proofs, C2SP signed notes
 * with Ed25519, tlog checkpoints, and the canonical encoding of history entries (the leaves).
 * No I/O: tiles are read through a callback, so the same code runs in the API Worker (D1), in
 * Node tools and in browsers (offline verification).
 */
export {
  bytesEqual,
  concatByteList,
  concatBytes,
  decodeBase64,
  decodeHex,
  encodeBase64,
  encodeHex,
} from "./bytes.ts";
export {
  type Checkpoint,
  type CheckpointResult,
  formatCheckpoint,
  type OpenedCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from "./checkpoint.ts";
export {
  PROOF_DOCUMENT_FORMAT,
  type ProofDocument,
  type ProofDocumentEntry,
  type ProofProblem,
  type ProofProblemKind,
  type ProofVerification,
  verifyProofDocument,
} from "./document.ts";
export {
  type DecodedEntry,
  decodeEntry,
  ENTRY_KIND_BY_CODE,
  ENTRY_KIND_CODES,
  ENTRY_VERSION,
  type Entry,
  type EntryKind,
  type EntryReason,
  type EntryStatus,
  type ErasureEntry,
  encodeEntry,
  entryLeafHash,
  generateProfileSalt,
  MAX_STRING_BYTES,
  PROFILE_SALT_SIZE,
  type ProfileBindingEntry,
  profileCommitment,
  REASON_BY_CODE,
  REASON_CODES,
  STATUS_BY_CODE,
  STATUS_CODES,
  type StatusChangeEntry,
} from "./entry.ts";
export {
  EMPTY_ROOT,
  HASH_SIZE,
  leafHash,
  leafHashes,
  leafInput,
  nodeHash,
  nodeInput,
  type Sha256Many,
  sha256,
  syncSha256Many,
  webCryptoSha256Many,
} from "./hash.ts";
export {
  MAX_NOTE_SIGNATURES,
  type NoteError,
  type OpenedNote,
  openNote,
  signNote,
} from "./note.ts";
export {
  ED25519_TYPE,
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  isValidKeyName,
  type KeyResult,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  type SignerKey,
  signerKeyFromSeed,
  type VerifierKey,
  verifierKeyFromSigner,
} from "./note-keys.ts";
export { consistencyProofOfLeaves, inclusionProofOfLeaves, rootOfLeaves } from "./reference.ts";
export { consistencyProof, inclusionProof, treeRoot } from "./tiled-tree.ts";
export {
  type Appended,
  appendToTiles,
  type ReadTile,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  TileStoreError,
  tilePath,
  tileWidth,
} from "./tiles.ts";
export { verifyConsistency, verifyInclusion } from "./verify.ts";
