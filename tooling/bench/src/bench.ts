// The state every measurement shares: the options, the temporary directory and its local D1s
// (the control plane and the data shards), T, the log, and the one `wrangler dev` that may run
// at a time (stopped on Ctrl-C too).
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { openLocalD1, type SqlDatabase } from "@lapse/dev/d1";
import { type DevServer, startWranglerDev } from "@lapse/dev/wrangler";
import type { BenchOptions } from "./options.ts";
import { peakWorkerdMemoryKiB, treeCpuMs } from "./proc-stats.ts";

export const MS_PER_DAY = 86_400_000;

const require = createRequire(import.meta.url);
/** The API's wrangler config: bindings, vars, migrations and the Worker's `main`. */
export const API_CONFIG = require.resolve("@lapse/api/wrangler.jsonc");
/** The bench-only entry point over the real Worker (apps/api/bench/metered-worker.ts). */
export const METERED_WORKER = require.resolve("@lapse/api/bench/metered-worker");

export interface BenchServer extends DevServer {
  /** Peak resident memory (VmHWM, KiB) of the largest workerd process under this server. */
  peakMemoryKiB(): number;
  /** CPU time (ms) used so far by its workerd processes and by wrangler's Node. */
  cpuMs(): { workerd: number; wrangler: number };
}

export interface Bench {
  opts: BenchOptions;
  /** The temporary directory: D1 state, bundles, SQL files, the raw copy. */
  work: string;
  /** The local D1s the measurements run on, every binding's (`--persist-to`). */
  persistTo: string;
  /** T: today's 02:00 UTC, the cron's hour. */
  T: number;
  /** The epoch day of T. */
  runDay: number;
  log(line: string): void;
  /** Vars every served Worker gets (the run's proof keys, once the data is loaded). */
  workerVars: Record<string, string>;
  /** Runs `use` against `wrangler dev` serving `script` on `persistTo`, then stops it. */
  serve<T>(
    options: {
      script: string;
      persistTo?: string;
      vars?: Record<string, string>;
      /** Another wrangler config (the sharded layout's, shards.ts); API_CONFIG by default. */
      config?: string;
    },
    use: (server: BenchServer) => Promise<T>,
  ): Promise<T>;
  /**
   * Runs `use` on the local D1 of `binding` (DB, the control plane, by default) through a
   * miniflare of its own, then closes it.
   */
  query<T>(
    use: (db: SqlDatabase) => Promise<T>,
    where?: { binding?: string; persistTo?: string; config?: string },
  ): Promise<T>;
  /** Stops what runs and deletes the directory (unless --keep). */
  cleanup(): Promise<void>;
}

export function createBench(opts: BenchOptions): Bench {
  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), "lapse-bench-"));
  const runDay = Math.floor(Date.now() / MS_PER_DAY);
  let running: BenchServer | null = null;
  const log = (line: string) =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const bench: Bench = {
    opts,
    work,
    persistTo: path.join(work, "d1"),
    runDay,
    T: runDay * MS_PER_DAY + 2 * 3_600_000,
    log,
    workerVars: {},
    async serve(options, use) {
      const vars = { ...bench.workerVars, ...options.vars };
      const dev = await startWranglerDev({
        config: options.config ?? API_CONFIG,
        persistTo: options.persistTo ?? bench.persistTo,
        script: options.script,
        // The bundle is a snapshot: `wrangler dev` would reload on every edit of the sources.
        noBundle: true,
        logLevel: "warn",
        readyPath: "/healthz",
        vars,
      });
      running = {
        ...dev,
        peakMemoryKiB: () => peakWorkerdMemoryKiB(dev.pid),
        cpuMs: () => treeCpuMs(dev.pid),
      };
      log(`wrangler dev on ${dev.url} (${path.basename(options.script)})`);
      try {
        return await use(running);
      } finally {
        await dev.stop();
        running = null;
      }
    },
    async query(use, where = {}) {
      const db = await openLocalD1({
        config: where.config ?? API_CONFIG,
        binding: where.binding,
        persistTo: where.persistTo ?? bench.persistTo,
      });
      try {
        return await use(db);
      } finally {
        await db.close();
      }
    },
    async cleanup() {
      await running?.stop();
      running = null;
      if (!opts.keep) {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
  return bench;
}

/** A figure for the table: thousands separators, `digits` decimals, "n/a" when undefined. */
export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";
}

/**
 * Runs `work` and reads the CPU time each side spent meanwhile: unlike latency, contention does
 * not inflate it much.
 */
export async function withCpu<T>(server: BenchServer, work: () => Promise<T>): Promise<[T, Cpu]> {
  const before = server.cpuMs();
  const client = process.cpuUsage();
  const value = await work();
  const after = server.cpuMs();
  const used = process.cpuUsage(client);
  return [
    value,
    {
      workerd: after.workerd - before.workerd,
      wrangler: after.wrangler - before.wrangler,
      client: (used.user + used.system) / 1000,
    },
  ];
}

export interface Cpu {
  /** CPU ms of workerd (the Worker and its local D1), of wrangler's Node, of this process. */
  workerd: number;
  wrangler: number;
  client: number;
}
