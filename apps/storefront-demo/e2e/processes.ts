// Child processes for the e2e harness: one-shot commands, and servers that are stopped by
// their own process group (wrangler runs workerd, Vite runs esbuild/rolldown workers).
import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";

/** Keeps the last part of a process's output for error messages. */
function outputTail(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = outputTail(child);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(output());
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output()}`));
    });
  });
}

export interface Server {
  name: string;
  /** Stops the whole process group: SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Starts a long-running server and resolves once `readyUrl` answers 2xx. */
export async function startServer(options: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  readyUrl: string;
  timeoutMs?: number;
}): Promise<Server> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stop() reaches its children too.
    detached: true,
  });
  const output = outputTail(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const server: Server = {
    name: options.name,
    async stop() {
      if (done || child.pid === undefined) return;
      const signal = (s: NodeJS.Signals) => {
        try {
          process.kill(-(child.pid as number), s);
        } catch {
          // The group is already gone.
        }
      };
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      // Grandchildren (workerd) may outlive their parent by a moment.
      signal("SIGKILL");
    },
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (done) {
      throw new Error(`${options.name} exited before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(options.readyUrl);
      if (response.ok) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await server.stop();
  throw new Error(`${options.name} was not ready at ${options.readyUrl} in time:\n${output()}`);
}

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
