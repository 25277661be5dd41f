// The one way this repository starts wrangler: this package's own wrangler (pinned to the
// API's version), run by the current Node, in the directory of the config it is given, with
// telemetry off and non-interactive output.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { freePort } from "./ports.ts";
import { run, type Server, startServer } from "./processes.ts";

// wrangler's `exports` hide its bin; its package.json is exported and the bin sits beside it.
const WRANGLER_BIN = path.join(
  path.dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);

/** `CI` keeps wrangler from prompting or drawing its interactive UI. */
export const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CI: "true" };

/** A Worker's wrangler config (`wrangler.jsonc`), by absolute path. */
export interface WranglerTarget {
  config: string;
}

/** Runs a wrangler command to completion and resolves with its stdout; rejects with its output. */
export function wrangler(target: WranglerTarget, args: string[]): Promise<string> {
  return run(process.execPath, [WRANGLER_BIN, ...args, "--config", target.config], {
    cwd: path.dirname(target.config),
    env: WRANGLER_ENV,
  });
}

/**
 * Runs wrangler in the foreground (its output on this terminal) until it exits, forwarding
 * Ctrl-C; resolves with its exit code. For `pnpm dev`.
 */
export function wranglerForeground(target: WranglerTarget, args: string[]): Promise<number> {
  const child = spawn(process.execPath, [WRANGLER_BIN, ...args, "--config", target.config], {
    cwd: path.dirname(target.config),
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 0));
  });
}

/** Where a local D1 lives: `.wrangler/state` beside the config (wrangler's default) or a DIR. */
export interface LocalState {
  /** As `wrangler … --persist-to DIR`; the config's `.wrangler/state` when absent. */
  persistTo?: string;
}

function persistFlags(state: LocalState): string[] {
  return state.persistTo ? ["--persist-to", state.persistTo] : [];
}

/** The D1 bindings of a config that have a migrations directory, in the config's order. */
export function migratedD1Bindings(target: WranglerTarget): string[] {
  const config = unstable_readConfig({ config: target.config }, { hideWarnings: true });
  return config.d1_databases
    .filter((d: { migrations_dir?: string }) => d.migrations_dir !== undefined)
    .map((d: { binding: string }) => d.binding);
}

/**
 * Applies the D1 migrations of `binding` — or, without one, of every D1 binding of the config
 * that has a migrations directory (a control plane and its data shards each have their own) —
 * to the local D1s (or, with `remote`, the deployed ones), one database after another.
 */
export async function applyMigrations(
  target: WranglerTarget & LocalState & { binding?: string; remote?: boolean },
): Promise<void> {
  for (const binding of target.binding ? [target.binding] : migratedD1Bindings(target)) {
    await wrangler(target, [
      "d1",
      "migrations",
      "apply",
      binding,
      ...(target.remote ? ["--remote"] : ["--local", ...persistFlags(target)]),
    ]);
  }
}

export interface DevOptions extends WranglerTarget, LocalState {
  /** A Worker script to serve instead of the config's `main` (e.g. a bundle, with `noBundle`). */
  script?: string;
  noBundle?: boolean;
  /** 127.0.0.1 unless told; `localhost` for Secure cookies over plain http. */
  host?: string;
  /** A free port unless told. */
  port?: number;
  /** String vars that override the config's. */
  vars?: Record<string, string>;
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  /** Ready once this path answers 2xx; `/` by default. */
  readyPath?: string;
  timeoutMs?: number;
}

export interface DevServer extends Server {
  url: string;
  /** Its inspector (Chrome DevTools protocol), e.g. for CPU profiles. */
  inspectorPort: number;
}

/** `wrangler dev` on a local D1, ready once `readyPath` answers; in its own process group. */
export async function startWranglerDev(options: DevOptions): Promise<DevServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const url = `http://${host}:${port}`;
  const server = await startServer({
    name: "wrangler dev",
    command: process.execPath,
    args: [
      WRANGLER_BIN,
      "dev",
      ...(options.script ? [options.script] : []),
      ...(options.noBundle ? ["--no-bundle"] : []),
      "--config",
      options.config,
      "--local",
      // wrangler binds 127.0.0.1 for "localhost" too; the URL keeps the name the caller chose.
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--show-interactive-dev-session=false",
      ...(options.logLevel ? ["--log-level", options.logLevel] : []),
      ...persistFlags(options),
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => [
        "--var",
        `${name}:${value}`,
      ]),
    ],
    cwd: path.dirname(options.config),
    env: WRANGLER_ENV,
    readyUrl: `http://127.0.0.1:${port}${options.readyPath ?? "/"}`,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { ...server, url, inspectorPort };
}
