import { shardCountProblem } from "@lapse/api/provision";
import { defineCli, numberIn, wholeNumber } from "@lapse/dev/cli";

/** The catalogue has four consents: a profile holds one state per consent, at most four. */
export const MAX_CONSENTS = 4;

const cli = defineCli({
  name: "bench",
  usage: "pnpm bench [-- options]",
  summary: [
    "Builds fresh local D1s (the control plane and the data shards) through the real migrations",
    "and measures the nightly expiry (the cron path and raw SQLite), a night with nothing due,",
    "event ingest, storefront reads and the naive expiry under wrangler dev. Prints figures and",
    "ratios; never fails on them.",
  ].join("\n"),
  options: {
    states: {
      type: "string",
      placeholder: "N",
      default: "1000000",
      description: "accepted states",
    },
    profiles: {
      type: "string",
      placeholder: "N",
      default: "250000",
      description: `profiles; each holds states / profiles consents, 1 to ${MAX_CONSENTS}`,
    },
    due: {
      type: "string",
      placeholder: "F",
      default: "0.25",
      description: "fraction of the states due at T",
    },
    "no-history": {
      type: "boolean",
      description:
        "no acceptance entries: the log holds the profile bindings only (one acceptance per state by default)",
    },
    shards: {
      type: "string",
      placeholder: "N",
      default: "1",
      description:
        "also run the same data on a tenant spanning N data shards (a power of two; the nights, per shard and in all, beside the 1-shard run); 1 skips it",
    },
    "chunk-size": {
      type: "string",
      placeholder: "N",
      description: "EXPIRY_CHUNK_SIZE for the runs (default: wrangler.jsonc's, 5000)",
    },
    "compare-chunk-size": {
      type: "string",
      placeholder: "N",
      description:
        "the night again on a fresh copy with this chunk size (default 1000, or 5000 when --chunk-size is 1000; 0 skips it)",
    },
    "ingest-batches": {
      type: "string",
      placeholder: "N",
      default: "200",
      description: "events.track calls per ingest pass",
    },
    "batch-size": {
      type: "string",
      placeholder: "N",
      default: "500",
      description: "events per call",
    },
    "ingest-connections": {
      type: "string",
      placeholder: "N",
      default: "4",
      description: "concurrent ingest calls",
    },
    "read-seconds": {
      type: "string",
      placeholder: "S",
      default: "15",
      description: "duration of the profile.get load",
    },
    "read-connections": {
      type: "string",
      placeholder: "N",
      default: "32",
      description: "concurrent profile.get connections",
    },
    naive: {
      type: "string",
      placeholder: "N",
      default: "10000",
      description: "states flipped one UPDATE at a time",
    },
    json: {
      type: "string",
      placeholder: "FILE",
      description: "also write every figure as JSON (a relative FILE is from tooling/bench)",
    },
    keep: {
      type: "boolean",
      description: "keep the temporary directory (D1 state, SQL files, raw copy)",
    },
  },
});

/** wrangler.jsonc's EXPIRY_CHUNK_SIZE, used when --chunk-size is not given. */
const CONFIG_CHUNK_SIZE = 5000;

export interface BenchOptions {
  states: number;
  profiles: number;
  /** States per profile: one per consent of the catalogue's first `consents`. */
  consents: number;
  due: number;
  history: boolean;
  /** Data shards of the sharded layout's tenant (shards.ts); 1: no sharded layout. */
  shards: number;
  /** Set only when --chunk-size is given: the runs then override the config's var. */
  chunkSizeFlag: number | undefined;
  chunkSize: number;
  /** 0: no comparison. */
  compareChunkSize: number;
  ingestBatches: number;
  batchSize: number;
  ingestConnections: number;
  readSeconds: number;
  readConnections: number;
  naive: number;
  json: string | undefined;
  keep: boolean;
}

/** The options of this run, from the command line; exits 2 with one line on a bad one. */
export function benchOptions(argv?: string[]): BenchOptions {
  const flags = cli.parse(argv);
  const whole = (flag: keyof typeof flags & string, min = 1) =>
    wholeNumber(cli, flag, flags[flag] as string, min);
  const states = whole("states");
  const profiles = whole("profiles");
  if (profiles > 9_999_999) {
    cli.fail("--profiles is at most 9,999,999 (profile ids are cust-0000000…)");
  }
  const consents = states / profiles;
  if (!Number.isInteger(consents) || consents > MAX_CONSENTS) {
    cli.fail(
      `--states must be 1 to ${MAX_CONSENTS} times --profiles (one state per profile and consent)`,
    );
  }
  const shards = whole("shards");
  const problem = shardCountProblem(shards);
  if (problem !== null) {
    cli.fail(`--shards ${shards}: ${problem}`);
  }
  const chunkSizeFlag = flags["chunk-size"] === undefined ? undefined : whole("chunk-size");
  const chunkSize = chunkSizeFlag ?? CONFIG_CHUNK_SIZE;
  return {
    states,
    profiles,
    consents,
    due: numberIn(cli, "due", flags.due, [0, 1]),
    history: !flags["no-history"],
    shards,
    chunkSizeFlag,
    chunkSize,
    compareChunkSize:
      flags["compare-chunk-size"] === undefined
        ? chunkSize === 1000
          ? 5000
          : 1000
        : whole("compare-chunk-size", 0),
    ingestBatches: whole("ingest-batches"),
    batchSize: whole("batch-size"),
    ingestConnections: whole("ingest-connections"),
    readSeconds: numberIn(cli, "read-seconds", flags["read-seconds"], [1, 3600]),
    readConnections: whole("read-connections"),
    naive: whole("naive"),
    json: flags.json,
    keep: flags.keep,
  };
}
