// Driving wrangler against a throwaway local D1 (`--persist-to`), never the developer's own
// `.wrangler/` state: the bench builds its data, runs and deletes it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const API_DIR = path.resolve(import.meta.dirname, "..");
const WRANGLER = path.join(API_DIR, "node_modules", ".bin", "wrangler");
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };

/** Runs a wrangler command to completion; throws with its output when it fails. */
export function wrangler(args: string[]): string {
  const result = spawnSync(WRANGLER, args, {
    cwd: API_DIR,
    encoding: "utf8",
    env: ENV,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

export function applyMigrations(persistTo: string): void {
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
}

/** Executes a SQL file on the local D1 in one `wrangler d1 execute`. */
export function executeFile(persistTo: string, file: string): void {
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file, "--yes"]);
}

/** Rows of read queries, in one `wrangler d1 execute --json` (each start costs seconds). */
export function queryMany(persistTo: string, statements: string[]): unknown[][] {
  const sql = statements.map((s) => s.trim().replace(/;$/, "")).join(";\n");
  const out = wrangler([
    "d1",
    "execute",
    "DB",
    "--local",
    "--persist-to",
    persistTo,
    "--json",
    "--command",
    sql,
  ]);
  const parsed = JSON.parse(out) as { results: unknown[] }[];
  return statements.map((_, i) => parsed[i]?.results ?? []);
}

/**
 * Bundles the Worker (or another entry point over it) once, as `wrangler deploy --dry-run`
 * does, and returns the bundle's path. `wrangler dev` then serves this snapshot with
 * `--no-bundle`: it reloads the Worker whenever a source file changes, and others edit the
 * sources while a bench runs; a reload mid-run would cut the cron invocation short.
 */
export function bundle(outdir: string, entry?: string): string {
  wrangler([
    "deploy",
    ...(entry ? [entry] : []),
    "--config",
    "wrangler.jsonc",
    "--dry-run",
    "--outdir",
    outdir,
  ]);
  const name = entry ? `${path.basename(entry).replace(/\.ts$/, "")}.js` : "index.js";
  const file = path.join(outdir, name);
  if (!existsSync(file)) throw new Error(`wrangler did not write ${file}`);
  return file;
}

/** The local D1's SQLite file (miniflare names it after a hash of the database id). */
export function d1File(persistTo: string): string {
  const dir = path.join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`Expected one D1 file in ${dir}, found ${files.length}.`);
  return path.join(dir, files[0] as string);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export interface DevServer {
  url: string;
  /** wrangler's inspector (Chrome DevTools protocol), for CPU profiles. */
  inspectorPort: number;
  /** The last lines wrangler printed (its log level is `warn`). */
  output(): string;
  /** The wrangler process; its process group holds workerd too. */
  child: ChildProcess;
  /** Peak resident memory (VmHWM, KiB) of the largest workerd process under this server. */
  peakMemoryKiB(): number;
  /** CPU time (user + system, ms) used so far by the workerd processes and by wrangler's Node. */
  cpuMs(): { workerd: number; wrangler: number };
  stop(): Promise<void>;
}

/** Every process below `root`, read from /proc (Linux). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we were reading.
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function statusField(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on Linux. */
const TICKS_PER_SECOND = 100;

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function isWorkerd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
  } catch {
    return false;
  }
}

/**
 * `wrangler dev` on 127.0.0.1 with the given persisted state, serving a bundle made by
 * `bundle` (with the config's bindings and vars); `vars` override string vars.
 */
export async function startDev(options: {
  persistTo: string;
  script: string;
  vars?: Record<string, string>;
  log: (line: string) => void;
}): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    "dev",
    options.script,
    "--no-bundle",
    "--config",
    "wrangler.jsonc",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    options.persistTo,
    "--log-level",
    "warn",
    "--show-interactive-dev-session=false",
    ...Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  // Its own process group, so that stopping it takes workerd along and nothing else.
  const child = spawn(WRANGLER, args, {
    cwd: API_DIR,
    env: ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 100_000) output = output.slice(-50_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      process.kill(-(child.pid as number), "SIGKILL");
      throw new Error(`wrangler dev did not answer within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  options.log(`wrangler dev on ${url} (${path.basename(options.script)})`);
  const pid = child.pid as number;
  return {
    url,
    inspectorPort,
    child,
    output: () => output.slice(-5000),
    peakMemoryKiB() {
      const workerds = descendants(pid).filter(isWorkerd);
      return Math.max(0, ...workerds.map((p) => statusField(p, "VmHWM") ?? 0));
    },
    cpuMs() {
      const all = [pid, ...descendants(pid)];
      const workerd = all.filter(isWorkerd);
      const sum = (pids: number[]) => pids.reduce((total, p) => total + cpuOf(p), 0);
      return { workerd: sum(workerd), wrangler: sum(all.filter((p) => !workerd.includes(p))) };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const workerds = descendants(pid).filter(isWorkerd);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-pid, "SIGTERM");
      const timer = setTimeout(() => {
        if (child.exitCode === null) process.kill(-pid, "SIGKILL");
      }, 10_000);
      await exited;
      clearTimeout(timer);
      // workerd may outlive wrangler by a moment (it is in the same group): wait for it.
      for (let i = 0; i < 40 && workerds.some((p) => existsSync(`/proc/${p}`)); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

export function exists(file: string): boolean {
  return existsSync(file);
}
