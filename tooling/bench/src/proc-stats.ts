// CPU time and peak memory of a server's process tree, read from /proc (Linux): workerd (the
// Worker and its local D1) apart from wrangler's Node.
import { readdirSync, readFileSync } from "node:fs";

/** Every process below `root`. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSafe("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = readSafe(`/proc/${entry}/stat`);
    if (stat === null) {
      continue;
    }
    // The command name is in parentheses and may hold spaces: read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
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

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A /proc file, or null when the process ended while we were reading. */
function readSafe(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function statusKiB(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
    readSafe(`/proc/${pid}/status`) ?? "",
  );
  return match ? Number(match[1]) : 0;
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on Linux. */
const TICKS_PER_SECOND = 100;

function cpuMsOf(pid: number): number {
  const stat = readSafe(`/proc/${pid}/stat`);
  if (stat === null) {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function isWorkerd(pid: number): boolean {
  return readSafe(`/proc/${pid}/comm`)?.trim() === "workerd";
}

/** Peak resident memory (VmHWM, KiB) of the largest workerd process under `root`. */
export function peakWorkerdMemoryKiB(root: number): number {
  return Math.max(
    0,
    ...descendants(root)
      .filter(isWorkerd)
      .map((p) => statusKiB(p, "VmHWM")),
  );
}

/**
 * CPU time (user + system, ms) used so far by the workerd processes under `root`, and by the
 * rest of its tree (wrangler's Node).
 */
export function treeCpuMs(root: number): { workerd: number; wrangler: number } {
  const all = [root, ...descendants(root)];
  const workerd = all.filter(isWorkerd);
  const sum = (pids: number[]) => pids.reduce((total, p) => total + cpuMsOf(p), 0);
  return { workerd: sum(workerd), wrangler: sum(all.filter((p) => !workerd.includes(p))) };
}
