// `pnpm --filter @lapse/api history:verify [--tenant ten_…] [--checkpoint FILE] [--remote]`:
// checks each tenant's transparency log (R11, docs/proof.md) from D1 reads alone: every entry
// rehashed against the tree, the tiles rebuilt from the leaves, the tree's root against the
// signed checkpoints, and a checkpoint kept earlier (FILE) against today's by consistency
// proof. Exits 1 when a problem is found.
import { hash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { defineCli } from "@lapse/dev/cli";
import type { SqlDatabase } from "@lapse/dev/d1";
import { D1_TARGET_OPTIONS, openD1Target } from "@lapse/dev/d1-target";
import { parseCheckpoint } from "@lapse/proof";
import { auditLog } from "../src/services/proof/audit.ts";
import type { SqlRead } from "../src/services/proof/entries.ts";
import { logOrigin } from "../src/services/proof/keys.ts";
import { API_CONFIG, LOG_KEY_OPTIONS, originPrefixFrom, verifierKeysOf } from "./log-cli.ts";

const cli = defineCli({
  name: "history:verify",
  usage:
    "pnpm --filter @lapse/api history:verify [--tenant ID] [--checkpoint FILE] [--verifier-key KEY] [--config FILE] [--remote | --persist-to DIR]",
  summary: [
    "Checks the transparency logs of every tenant (or one; a log per data shard it spans): each",
    "entry rehashed against the",
    "Merkle tree, the tree against its signed checkpoints, and a checkpoint kept earlier against",
    "today's by consistency proof. Prints one line per problem and a total; exits 1 on a problem.",
    "Verifier keys: --verifier-key, else PROOF_VERIFIER_KEYS / PROOF_SIGNING_KEY from the",
    "environment or apps/api/.dev.vars (the deployed ones: GET /.well-known/lapse-proof-key).",
  ].join("\n"),
  options: {
    tenant: { type: "string", placeholder: "ID", description: "only this tenant (ten_…)" },
    checkpoint: {
      type: "string",
      placeholder: "FILE",
      multiple: true,
      description:
        "a signed checkpoint kept earlier (the `checkpoint` text of admin.proof.checkpoint, that answer's JSON, or a proof document)",
    },
    config: {
      type: "string",
      placeholder: "FILE",
      description:
        "the wrangler config whose D1 bindings are read (default apps/api/wrangler.jsonc)",
    },
    ...LOG_KEY_OPTIONS,
    ...D1_TARGET_OPTIONS,
  },
});

const values = cli.parse();
const config = values.config === undefined ? API_CONFIG : path.resolve(values.config);
if (values.tenant !== undefined && !/^ten_[0-9a-z]+$/.test(values.tenant)) {
  cli.fail(`--tenant ${values.tenant} is not a tenant id (ten_…)`);
}

/** The signed note of a kept checkpoint file: the note itself, or JSON that carries it. */
function keptNote(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return cli.fail(`--checkpoint ${file}: ${(error as Error).message}`);
  }
  if (text.trimStart().startsWith("{")) {
    try {
      const json = JSON.parse(text) as { checkpoint?: unknown; log?: { checkpoint?: unknown } };
      const note = json.checkpoint ?? json.log?.checkpoint;
      if (typeof note === "string") {
        return note;
      }
    } catch {
      // Not JSON after all: read as the note below.
    }
    return cli.fail(
      `--checkpoint ${file} is JSON without a \`checkpoint\` (or \`log.checkpoint\`) text`,
    );
  }
  return text;
}

/** The origin line of a note (its first line), to match a kept checkpoint with its tenant. */
function originOf(note: string): string {
  const body = note.slice(0, note.indexOf("\n\n") + 1);
  const parsed = parseCheckpoint(body);
  return parsed.ok ? parsed.checkpoint.origin : (note.split("\n")[0] ?? "");
}

const PROGRESS_MS = 2000;

/** The data shards opened so far, by binding (closed at the end). */
const shards = new Map<string, Promise<SqlDatabase<string>>>();

function shard(binding: string): Promise<SqlDatabase<string>> {
  let opened = shards.get(binding);
  if (!opened) {
    opened = openD1Target(cli, values, { config, migrate: false, inProcess: true, binding });
    shards.set(binding, opened);
  }
  return opened;
}

async function verify(db: SqlDatabase<string>): Promise<number> {
  const keys = await verifierKeysOf(values).catch((error: Error) => cli.fail(error.message));
  const prefix = originPrefixFrom(values);
  const kept = values.checkpoint.map((file) => ({ file, note: keptNote(file) }));
  const readOf = (d: SqlDatabase<string>): SqlRead => {
    return <T>(sql: string, params: readonly string[]) => d.all<T>({ sql, params });
  };
  const control = readOf(db);
  // Every log: one per (tenant, slot), on the slot's data shard (docs/scaling.md).
  const logs = await db.all<{ id: string; num: number; slot: number; binding: string }>({
    sql: `SELECT t.id, t.num, ts.slot, s.binding FROM tenant AS t
      JOIN tenant_shard AS ts ON ts.tenant_id = t.id JOIN shard AS s ON s.num = ts.shard
      ${values.tenant === undefined ? "" : "WHERE t.id = ?1"} ORDER BY t.num, ts.slot`,
    params: values.tenant === undefined ? [] : [values.tenant],
  });
  if (values.tenant !== undefined && logs.length === 0) {
    cli.error(`No tenant ${values.tenant} in ${db.description}.`);
  }
  const originOfLog = (log: { id: string; slot: number }) => logOrigin(prefix, log.id, log.slot);
  for (const { file, note } of kept) {
    const origin = originOf(note);
    if (!logs.some((log) => originOfLog(log) === origin)) {
      cli.error(
        `--checkpoint ${file} is of the log ${JSON.stringify(origin)}, which is none of the tenants checked (origin prefix ${prefix}).`,
      );
    }
  }
  console.error(`Checking the transparency logs in ${db.description} and its data shards…`);
  const started = Date.now();
  let problems = 0;
  let entries = 0;
  for (const log of logs) {
    const origin = originOfLog(log);
    const tenant = { id: log.slot === 0 ? log.id : `${log.id}/${log.slot}` };
    let last = Date.now();
    const audit = await auditLog({ data: readOf(await shard(log.binding)), control }, log.num, {
      origin,
      verifierKeys: keys,
      sha256: (bytes) => hash("sha256", bytes, "buffer"),
      kept: kept.filter((k) => originOf(k.note) === origin).map((k) => k.note),
      onProgress: (done, total) => {
        if (Date.now() - last > PROGRESS_MS) {
          last = Date.now();
          console.error(
            `  ${tenant.id}: ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} entries…`,
          );
        }
      },
    });
    entries += audit.entries;
    problems += audit.problems.length;
    for (const p of audit.problems) {
      console.log(
        `${tenant.id} ${p.index === undefined ? "-" : `idx=${p.index}`} ${p.kind}: ${p.message}`,
      );
    }
    console.log(
      `${tenant.id}: ${audit.ok ? "ok" : `${audit.problems.length} problem(s)`} — ${audit.treeSize} entries sealed (root ${audit.rootHash}), ${audit.unsealed} not sealed yet, ${audit.checkpoints} checkpoint(s)`,
    );
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const tenants = new Set(logs.map((log) => log.id)).size;
  console.log(
    `${tenants} tenant(s), ${logs.length} log(s), ${entries} entries checked in ${seconds} s; ${problems} problem(s).`,
  );
  return problems;
}

async function main(): Promise<number> {
  // Locally the file is read in this process: a million entries without a round trip each.
  const db = await openD1Target(cli, values, { config, migrate: false, inProcess: true });
  try {
    return await verify(db);
  } finally {
    await db.close();
    for (const opened of shards.values()) {
      await (await opened).close();
    }
  }
}

const problems = await main().catch((error: Error) => cli.error(error.message));
process.exit(problems > 0 ? 1 : 0);
