import { ProfileId } from "@lapse/consent";
import {
  bytesEqual,
  type Entry,
  encodeBase64,
  encodeEntry,
  inclusionProof,
  PROOF_DOCUMENT_FORMAT,
  type ProofDocument,
  profileCommitment,
  TILE_WIDTH,
} from "@lapse/proof";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { consentVersion, tenant } from "../../db/schema.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { iso } from "../iso.ts";
import { loadProfile } from "../profiles/states.ts";
import { profileView } from "../profiles/view.ts";
import { forProfile } from "../shards/route.ts";
import { classifyMismatches, type LogProblem, rowLeafHash } from "./classify.ts";
import {
  d1Read,
  type EntryRow,
  entryOfRow,
  hexBytes,
  readEntryRows,
  readProfileEntryRows,
  type SqlRead,
} from "./entries.ts";
import { checkTreeHead, currentCheckpoint, logReads, type ProofCall, sealTarget } from "./log.ts";
import { sealBeforeReading } from "./seal.ts";
import { tileReader } from "./tree.ts";

/**
 * One profile's proof (R11): `admin.profiles.proof` answers the `lapse-proof/2` document of
 * @lapse/proof (verifyProofDocument checks it offline), and `admin.profiles.verify` checks the
 * profile's entries against the tree, the tree against its signed checkpoint, and the binding
 * of the profile id to its key.
 */

export const GetProfileProofInput = z.strictObject({ profileId: ProfileId });
export type GetProfileProofInput = z.infer<typeof GetProfileProofInput>;
export const VerifyProfileInput = GetProfileProofInput;
export type VerifyProfileInput = GetProfileProofInput;

interface ProfileRow {
  key: number;
  salt: Uint8Array;
}

async function profileRow(
  read: SqlRead,
  ctx: ServiceContext,
  profileId: string,
): Promise<ProfileRow | null> {
  const [row] = await read<{ id: number; salt: string }>(
    `SELECT id, hex(salt) AS salt FROM profile
     WHERE tenant = CAST(?1 AS INTEGER) AND external_id = ?2`,
    [String(ctx.tenantNum), profileId],
  );
  return row === undefined ? null : { key: row.id, salt: hexBytes(row.salt) ?? new Uint8Array() };
}

/** An entry as a person reads it in the document (informative: the bytes are the proof). */
function entryView(entry: Entry): Record<string, unknown> {
  switch (entry.kind) {
    case "status_change":
      return {
        kind: entry.kind,
        consent: entry.consent,
        consentVersion: entry.consentVersion,
        from: entry.from,
        to: entry.to,
        reason: entry.reason,
        actor: entry.actor,
        occurredAt: iso(entry.occurredAt),
        recordedAt: iso(entry.recordedAt),
      };
    case "profile_binding":
      return { kind: entry.kind, recordedAt: iso(entry.recordedAt) };
    case "erasure":
      return { kind: entry.kind, reason: entry.reason, recordedAt: iso(entry.recordedAt) };
  }
}

/** The wordings of the consents the profile's states and entries name (informative). */
async function consentWordings(ctx: ServiceContext, profileId: string, entries: Entry[]) {
  const { consents, states } = await loadProfile(ctx, profileId);
  const named = new Set([
    ...states.keys(),
    ...entries.flatMap((e) => (e.kind === "status_change" ? [e.consent] : [])),
  ]);
  const shown = consents.filter((c) => named.has(c.consent.key));
  const ids = shown.map((c) => c.id);
  const versions =
    ids.length === 0
      ? []
      : await ctx.db
          .select()
          .from(consentVersion)
          .where(
            and(eq(consentVersion.tenantId, ctx.tenantId), inArray(consentVersion.consentId, ids)),
          )
          .orderBy(asc(consentVersion.consentId), asc(consentVersion.version));
  return {
    states: profileView(profileId, consents, states, ctx.now).consents,
    consents: shown.map((c) => ({
      key: c.consent.key,
      kind: c.consent.kind,
      versions: versions
        .filter((v) => v.consentId === c.id)
        .map((v) => ({
          version: v.version,
          title: v.title,
          description: v.description,
          createdAt: iso(v.createdAt),
        })),
    })),
  };
}

/**
 * `admin.profiles.proof`: the profile's entries, each with its leaf index and inclusion proof
 * against the tenant's newest signed checkpoint (sealed just before), the profile's key and
 * the salt that opens its binding, and the checkpoint itself.
 */
export async function getProfileProof({
  ctx,
  input,
  keys,
}: ProofCall<GetProfileProofInput>): Promise<ProofDocument> {
  // The profile's shard holds its row and its entries, in the tenant's log of that shard.
  const log = forProfile(ctx, input.profileId);
  const current = await currentCheckpoint(log, keys);
  const read = d1Read(log.data.$client);
  const profile = await profileRow(read, ctx, input.profileId);
  if (profile === null) {
    throw new ServiceError(
      "NOT_FOUND",
      `No profile ${JSON.stringify(input.profileId)} in this tenant's log: nothing was ever recorded for it (or it was erased).`,
    );
  }
  const rows = (await readProfileEntryRows(logReads(log), ctx.tenantNum, profile.key)).filter(
    (row) => row.idx < current.size,
  );
  const entries: { row: EntryRow; entry: Entry }[] = [];
  for (const row of rows) {
    const rebuilt = entryOfRow(row);
    if (rebuilt.ok) {
      entries.push({ row, entry: rebuilt.entry }); // A row that is not an entry: see verify.
    }
  }
  const reader = tileReader(read, ctx.tenantNum);
  const [owner, proofs, wordings] = await Promise.all([
    ctx.db.select({ name: tenant.name }).from(tenant).where(eq(tenant.id, ctx.tenantId)).get(),
    Promise.all(entries.map(({ row }) => inclusionProof(row.idx, current.size, reader))),
    consentWordings(
      ctx,
      input.profileId,
      entries.map((e) => e.entry),
    ),
  ]);
  return {
    format: PROOF_DOCUMENT_FORMAT,
    generatedAt: iso(ctx.now),
    tenant: { id: ctx.tenantId, name: owner?.name ?? "" },
    profileId: input.profileId,
    states: wordings.states,
    consents: wordings.consents,
    log: {
      origin: current.origin,
      treeSize: current.size,
      rootHash: encodeBase64(current.root),
      checkpoint: current.note,
    },
    profile: { key: profile.key, salt: encodeBase64(profile.salt) },
    entries: entries.map(({ row, entry }, i) => ({
      index: row.idx,
      entry: encodeBase64(encodeEntry(entry)),
      inclusionProof: (proofs[i] ?? []).map(encodeBase64),
      view: entryView(entry),
    })),
  };
}

/** The tree's leaf hashes at these indices (< size), read from the level-0 tiles. */
async function leavesAt(
  read: SqlRead,
  tenantNum: number,
  indices: Iterable<number>,
  size: number,
): Promise<Map<number, Uint8Array>> {
  const reader = tileReader(read, tenantNum);
  const wanted = [...new Set(indices)].filter((i) => i >= 0 && i < size);
  const tiles = await Promise.all(wanted.map((i) => reader(0, Math.floor(i / TILE_WIDTH))));
  const leaves = new Map<number, Uint8Array>();
  wanted.forEach((i, n) => {
    const tile = tiles[n];
    const offset = (i % TILE_WIDTH) * 32;
    if (tile && tile.length >= offset + 32) {
      leaves.set(i, tile.subarray(offset, offset + 32));
    }
  });
  return leaves;
}

/** Indices below `size` with no entry row (at most `limit`), when the log has fewer rows. */
async function holes(read: SqlRead, tenantNum: number, size: number, limit = 100) {
  const [count] = await read<{ n: number; first: number | null }>(
    `SELECT count(*) AS n, min(idx) AS first FROM entry
     WHERE tenant = CAST(?1 AS INTEGER) AND idx < CAST(?2 AS INTEGER)`,
    [String(tenantNum), String(size)],
  );
  if ((count?.n ?? 0) >= size) {
    return [];
  }
  const found: number[] = [];
  const first = count?.first ?? size;
  for (let i = 0; i < Math.min(first, limit); i++) {
    found.push(i);
  }
  const rows = await read<{ idx: number }>(
    `SELECT e.idx + 1 AS idx FROM entry AS e
     WHERE e.tenant = CAST(?1 AS INTEGER) AND e.idx < CAST(?2 AS INTEGER) - 1
       AND NOT EXISTS (SELECT 1 FROM entry AS f WHERE f.tenant = e.tenant AND f.idx = e.idx + 1)
     ORDER BY e.idx LIMIT CAST(?3 AS INTEGER)`,
    [String(tenantNum), String(size), String(limit)],
  );
  for (const { idx: start } of rows) {
    const [next] = await read<{ idx: number | null }>(
      `SELECT min(idx) AS idx FROM entry
       WHERE tenant = CAST(?1 AS INTEGER) AND idx > CAST(?2 AS INTEGER)`,
      [String(tenantNum), String(start)],
    );
    const end = Math.min(next?.idx ?? size, size);
    for (let i = start; i < end && found.length < limit; i++) {
      found.push(i);
    }
  }
  return found;
}

/**
 * `admin.profiles.verify`: after sealing, checks the tree head (the newest checkpoint's
 * signature, its size and root against the tree and its tiles), that the log has a row for
 * every index the tree holds, each of the profile's entries against the tree's leaf at its
 * index (naming an edit, a deletion, an insertion or a re-ordering), and the profile's
 * binding (its one binding entry opens with its salt and id). `ok` when nothing was found.
 */
export async function verifyProfile({ ctx, input, keys }: ProofCall<VerifyProfileInput>) {
  const log = forProfile(ctx, input.profileId);
  await sealBeforeReading(log, keys, sealTarget(log), Date.now);
  const read = d1Read(log.data.$client);
  const reads = logReads(log);
  const head = await checkTreeHead(log, keys);
  const size = head.tree.size;
  const problems: LogProblem[] = [...head.problems];
  const profile = await profileRow(read, ctx, input.profileId);
  const rows =
    profile === null ? [] : await readProfileEntryRows(reads, ctx.tenantNum, profile.key);

  // Every profile entry against the tree's leaf at its index.
  const hashes = new Map<number, Uint8Array | null>(rows.map((r) => [r.idx, rowLeafHash(r)]));
  const leaves = await leavesAt(read, ctx.tenantNum, hashes.keys(), size);
  const mismatched = rows
    .filter((r) => r.idx < size)
    .map((r) => r.idx)
    .filter((i) => {
      const hash = hashes.get(i);
      const leaf = leaves.get(i);
      return !hash || !leaf || !bytesEqual(hash, leaf);
    });
  const absent = await holes(read, ctx.tenantNum, size);
  // The neighbours of each mismatch, for a shift by one (a renumbering).
  const near = mismatched.flatMap((i) => [i - 1, i + 1]);
  const [neighbours, nearLeaves] = await Promise.all([
    Promise.all(
      mismatched.map((i) => readEntryRows(reads, ctx.tenantNum, Math.max(0, i - 1), i + 2)),
    ),
    leavesAt(read, ctx.tenantNum, near, size),
  ]);
  for (const row of neighbours.flat()) {
    if (!hashes.has(row.idx)) {
      hashes.set(row.idx, rowLeafHash(row));
    }
  }
  for (const [i, leaf] of nearLeaves) {
    leaves.set(i, leaf);
  }
  const absentSet = new Set(absent);
  problems.push(
    ...classifyMismatches(
      [...new Set([...mismatched, ...absent])].sort((a, b) => a - b),
      {
        size,
        leaf: (i) => leaves.get(i),
        entry: (i) => (absentSet.has(i) ? undefined : hashes.get(i)),
        find: (hash, not) =>
          rows
            .map((r) => r.idx)
            .find((j) => j !== not && bytesEqual(leaves.get(j) ?? new Uint8Array(), hash)),
      },
    ),
  );

  // The binding: exactly one binding entry of the key, opened by the salt and the id.
  if (profile !== null) {
    const bindings = rows.filter((r) => r.kind === 2);
    const expected = profileCommitment(profile.salt, input.profileId);
    const matching = bindings.filter((r) => {
      const rebuilt = entryOfRow(r);
      return (
        rebuilt.ok &&
        rebuilt.entry.kind === "profile_binding" &&
        bytesEqual(rebuilt.entry.commitment, expected)
      );
    });
    if (bindings.length === 0) {
      problems.push({
        kind: "binding",
        message: `No log entry binds profile key ${profile.key} to ${JSON.stringify(input.profileId)}: its binding entry is gone.`,
      });
    } else if (matching.length === 0) {
      problems.push({
        kind: "binding",
        index: bindings[0]?.idx,
        message: `The binding entry of profile key ${profile.key} commits to another customer id than ${JSON.stringify(input.profileId)} (or another salt): profile rows were swapped or edited.`,
      } as LogProblem);
    } else if (bindings.length > 1) {
      problems.push({
        kind: "binding",
        index: bindings[1]?.idx,
        message: `Profile key ${profile.key} is bound more than once.`,
      } as LogProblem);
    }
  }
  return {
    ok: problems.length === 0,
    profileId: input.profileId,
    treeSize: head.signed?.size ?? size,
    entries: rows.length,
    problems,
  };
}
