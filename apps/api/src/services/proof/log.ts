import {
  bytesEqual,
  consistencyProof,
  EMPTY_ROOT,
  encodeBase64,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  treeRoot,
} from "@lapse/proof";
import { z } from "zod";
import { withD1Retry } from "../../db/retry.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import { type DataContext, onShard } from "../shards/route.ts";
import { auditLog, type LogAudit } from "./audit.ts";
import { d1Read, type LogReads } from "./entries.ts";
import type { ProofKeys } from "./keys.ts";
import { sealBeforeReading } from "./seal.ts";
import { readNewestCheckpoint, readTree, tileReader } from "./tree.ts";

/**
 * The log's own endpoints (R11): the signed checkpoint, consistency proofs between sizes, and
 * the tenant-wide check. Each seals the tenant first, so an answer covers every write made
 * before the call.
 */

/** What the proof services take: the tenant's context and the log's keys. */
export interface ProofCall<Input> {
  ctx: ServiceContext;
  input: Input;
  keys: ProofKeys;
}

/** One log of a tenant: the shard it is on, the slot it is of, and the control plane. */
export type LogContext = Pick<DataContext, "db" | "data" | "tenantId" | "tenantNum" | "slot">;

/** Where a log's entries are read: its shard, and the control plane for consent keys. */
export const logReads = (log: Pick<LogContext, "db" | "data">): LogReads => ({
  data: d1Read(log.data.$client),
  control: d1Read(log.db.$client),
});

/** The seal target of a log. */
export const sealTarget = (log: LogContext) => ({
  num: log.tenantNum,
  id: log.tenantId,
  slot: log.slot,
});

/** A log's newest signed checkpoint after sealing, parsed (its size and root are signed). */
export async function currentCheckpoint(log: LogContext, keys: ProofKeys) {
  await sealBeforeReading(log, keys, sealTarget(log), Date.now);
  const read = d1Read(log.data.$client);
  const stored = await withD1Retry(() => readNewestCheckpoint(read, log.tenantNum));
  const origin = keys.origin(log.tenantId, log.slot);
  if (stored === null) {
    // Nothing logged yet: the empty tree, signed now (Ed25519 signs deterministically).
    const note = await signCheckpoint(
      { origin, size: 0, root: EMPTY_ROOT.slice() },
      await keys.signer(),
    );
    return { origin, note, size: 0, root: EMPTY_ROOT.slice() };
  }
  const parsed = parseCheckpoint(stored.note.slice(0, stored.note.indexOf("\n\n") + 1));
  if (!parsed.ok) {
    throw new Error(`The stored checkpoint of size ${stored.size} is not one: ${parsed.message}`);
  }
  return { origin, note: stored.note, size: parsed.checkpoint.size, root: parsed.checkpoint.root };
}

export const GetCheckpointInput = z.strictObject({}).optional();

/** The tenant's log of `slot` (one per data shard slot it spans). */
function logOf(ctx: ServiceContext, slot: number): DataContext {
  const shard = ctx.shards[slot];
  if (!shard) {
    throw new ServiceError(
      "BAD_REQUEST",
      `This tenant has ${ctx.shards.length} log(s), numbered from 0: there is no log ${slot}.`,
      [{ path: "log", message: `at most ${ctx.shards.length - 1}` }],
    );
  }
  return onShard(ctx, shard);
}

/**
 * `admin.proof.checkpoint`: the signed note of each of the tenant's logs (one per data shard
 * slot, sealed at once), with its size and root, and the key that verifies them. The top-level
 * fields are log 0's; a tenant on one shard has only that log.
 */
export async function getCheckpoint({ ctx, keys }: ProofCall<unknown>) {
  const logs = await Promise.all(
    ctx.shards.map(async (shard) => {
      const current = await currentCheckpoint(onShard(ctx, shard), keys);
      return {
        log: shard.slot,
        origin: current.origin,
        checkpoint: current.note,
        treeSize: current.size,
        rootHash: encodeBase64(current.root),
      };
    }),
  );
  const [first] = logs;
  if (!first) {
    throw new Error(`Tenant ${ctx.tenantId} has no data shard (the shard map is empty for it).`);
  }
  return {
    checkpoint: first.checkpoint,
    treeSize: first.treeSize,
    rootHash: first.rootHash,
    verifierKey: await keys.verifierKey(),
    logs,
  };
}

const TreeSize = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const GetConsistencyInput = z.strictObject({
  /** Which of the tenant's logs (its `logs[].log` in admin.proof.checkpoint); 0 by default. */
  log: z.number().int().min(0).max(1023).optional(),
  /** The size of the older tree (a checkpoint kept earlier). */
  from: TreeSize,
  /** The size of the newer tree; today's by default. */
  to: TreeSize.optional(),
});
export type GetConsistencyInput = z.infer<typeof GetConsistencyInput>;

/** `admin.proof.consistency`: the RFC 6962 proof that the tree of `to` extends that of `from`. */
export async function getConsistency({ ctx, input, keys }: ProofCall<GetConsistencyInput>) {
  const log = logOf(ctx, input.log ?? 0);
  const current = await currentCheckpoint(log, keys);
  const to = input.to ?? current.size;
  const bad = (path: string, message: string) =>
    new ServiceError("BAD_REQUEST", message, [{ path, message }]);
  if (to > current.size) {
    throw bad("to", `The log holds ${current.size} entries; \`to\` may not exceed that.`);
  }
  if (input.from > to) {
    throw bad("from", `\`from\` (${input.from}) is larger than \`to\` (${to}).`);
  }
  if (input.from === 0) {
    throw bad(
      "from",
      "Every tree extends the empty one, so a proof from size 0 proves nothing: give the size of a checkpoint you kept.",
    );
  }
  const proof = await consistencyProof(
    input.from,
    to,
    tileReader(d1Read(log.data.$client), log.tenantNum),
  );
  return { log: log.slot, from: input.from, to, proof: proof.map(encodeBase64) };
}

/**
 * The check of a whole log (every entry, the tiles, every stored checkpoint, and `kept` notes),
 * after sealing. Reads the whole log: for tests and tools, not for a request path.
 */
export async function auditTenant(
  log: LogContext,
  keys: ProofKeys,
  kept: readonly string[] = [],
): Promise<LogAudit> {
  await sealBeforeReading(log, keys, sealTarget(log), Date.now);
  return auditLog(logReads(log), log.tenantNum, {
    origin: keys.origin(log.tenantId, log.slot),
    verifierKeys: await keys.verifierKeys(),
    kept,
  });
}

/**
 * The checks of the tree a per-profile verify shares with the tenant-wide one, cheaply: the
 * newest checkpoint's signature, its size and root against the tree row, and the tree row's
 * root against the tiles. Returns the problems and the signed size and root.
 */
export async function checkTreeHead(ctx: LogContext, keys: ProofKeys) {
  const read = d1Read(ctx.data.$client);
  const [tree, stored] = await Promise.all([
    readTree(read, ctx.tenantNum),
    readNewestCheckpoint(read, ctx.tenantNum),
  ]);
  const problems: { kind: "signature" | "rollback" | "tree" | "truncated"; message: string }[] = [];
  let signed: { size: number; root: Uint8Array } | undefined;
  if (stored !== null) {
    const opened = await openCheckpoint(
      stored.note,
      await keys.verifierKeys(),
      keys.origin(ctx.tenantId, ctx.slot),
    );
    if (opened.ok) {
      signed = { size: opened.checkpoint.size, root: opened.checkpoint.root };
    } else {
      problems.push({
        kind: "signature",
        message: `The log's newest checkpoint does not verify with its verifier keys (${opened.message}): it was forged or altered.`,
      });
    }
  } else if (tree.size > 0) {
    problems.push({
      kind: "signature",
      message: `The tree of ${tree.size} entries has no signed checkpoint.`,
    });
  }
  if (signed !== undefined && signed.size < tree.size) {
    problems.push({
      kind: "rollback",
      message: `The newest signed checkpoint has ${signed.size} entries but the tree ${tree.size}: a newer checkpoint was removed or replaced by an older one.`,
    });
  } else if (signed !== undefined && signed.size > tree.size) {
    problems.push({
      kind: "truncated",
      message: `The newest signed checkpoint has ${signed.size} entries, the tree only ${tree.size}: the log and its tree were cut back.`,
    });
  }
  if (tree.size > 0) {
    const reader = tileReader(read, ctx.tenantNum);
    let root: Uint8Array | undefined;
    try {
      root = await treeRoot(tree.size, reader);
    } catch (error) {
      problems.push({
        kind: "tree",
        message: `The stored tree cannot be read back (${(error as Error).message}): it was cut or rewritten.`,
      });
    }
    if (root !== undefined && (tree.root === null || !bytesEqual(root, tree.root))) {
      problems.push({
        kind: "tree",
        message: "The tree row's root is not the root of the stored tiles: the tree was rewritten.",
      });
    }
    if (
      root !== undefined &&
      signed !== undefined &&
      signed.size === tree.size &&
      !bytesEqual(root, signed.root)
    ) {
      problems.push({
        kind: "tree",
        message:
          "The stored tree does not hash to the root its signed checkpoint commits to: the log and its tree were rewritten without the signing key.",
      });
    }
  }
  return { problems, tree, signed };
}
