// Child processes for the dev tools and the test harnesses: one-shot commands, and servers
// that run in their own process group (wrangler runs workerd, Vite runs esbuild workers), so
// that stopping one takes its children along and nothing else.
import { type ChildProcess, spawn } from "node:child_process";

/** Keeps the last part of a process's output, for error messages. */
function outputTail(child: ChildProcess, keep = 8000): () => string {
  let tail = "";
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-keep);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return () => tail;
}

export interface RunOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
}

/** Runs a command to completion and resolves with its stdout; rejects with its output. */
export function run(command: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    const output = outputTail(child);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString("utf8"));
      } else {
        reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output()}`));
      }
    });
  });
}

export interface Server {
  name: string;
  /** The server's process id, which is also its process group's. */
  pid: number;
  /** The last lines it printed. */
  output(): string;
  /** Stops the whole process group: SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface ServerOptions extends RunOptions {
  name: string;
  command: string;
  args: string[];
  /** Ready once this URL answers 2xx. */
  readyUrl: string;
  timeoutMs?: number;
}

/** Starts a long-running server and resolves once `readyUrl` answers 2xx. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid === undefined) {
    throw new Error(`${options.name} did not start (${options.command})`);
  }
  const pid = child.pid;
  const output = outputTail(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (s: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, s);
      return true;
    } catch {
      // The group is gone.
      return false;
    }
  };
  /** Until no process of the group is left, so that a next server finds the files released. */
  const groupGone = async () => {
    for (let i = 0; i < 100 && signal(0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const server: Server = {
    name: options.name,
    pid,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      // Grandchildren (workerd) may outlive their parent by a moment.
      signal("SIGKILL");
      await groupGone();
    },
  };

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(options.readyUrl);
      if (response.ok) {
        return server;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await server.stop();
  throw new Error(`${options.name} was not ready at ${options.readyUrl} in time:\n${output()}`);
}
