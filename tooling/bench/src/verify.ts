// `history:verify` of the bench's tenant (every entry against the tree, the tree against its
// signed checkpoint), timed, on the local D1 after the nightly run: the API's own CLI, run as
// `pnpm --filter @lapse/api history:verify` runs it, with the run's proof keys in its
// environment. Skipped, with the reason, while the script still checks the v1 chain.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { API_CONFIG, type Bench, fmt } from "./bench.ts";
import type { Dataset } from "./dataset.ts";

const SCRIPT = path.join(path.dirname(API_CONFIG), "scripts", "history-verify.ts");

export type VerifyFigures =
  | { skipped: string }
  | {
      entries: number;
      seconds: number;
      exitCode: number;
      /** The script's last lines (its verdict). */
      output: string;
    };

/** Whether the script checks the storage-v2 log (the v1 one read the chain module). */
function notReady(): string | null {
  let text: string;
  try {
    text = readFileSync(SCRIPT, "utf8");
  } catch {
    return `${SCRIPT} does not exist`;
  }
  if (text.includes("history/chain.ts") || !text.includes("checkpoint")) {
    return "apps/api/scripts/history-verify.ts still checks the v1 per-profile chain (being rewritten for the log)";
  }
  return null;
}

/**
 * `target`: the wrangler config and local D1 directory whose logs are checked (the bench's own
 * by default; the 4-shard layout passes its generated config).
 */
export async function measureVerify(
  bench: Bench,
  tenant: { tenantId: string; proofVars: Dataset["proofVars"] },
  entries: number,
  target: { config: string; persistTo: string } = {
    config: API_CONFIG,
    persistTo: bench.persistTo,
  },
): Promise<VerifyFigures> {
  const why = notReady();
  if (why) {
    bench.log(`history:verify skipped: ${why}`);
    return { skipped: why };
  }
  const t0 = performance.now();
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        // As the package's history:verify script runs it (its imports use parameter properties).
        "--experimental-transform-types",
        "--no-warnings",
        SCRIPT,
        "--tenant",
        tenant.tenantId,
        "--config",
        target.config,
        "--persist-to",
        target.persistTo,
      ],
      {
        cwd: path.dirname(API_CONFIG),
        env: { ...process.env, ...tenant.proofVars, WRANGLER_SEND_METRICS: "false" },
        maxBuffer: 64 * 2 ** 20,
        timeout: 30 * 60_000,
      },
      (error, stdout, stderr) => {
        const exit = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code: exit, output: `${stdout}${stderr}` });
      },
    );
  });
  const seconds = (performance.now() - t0) / 1000;
  const tail = output.trim().split("\n").slice(-5).join("\n");
  bench.log(
    `history:verify of ${fmt(entries)} entries: exit ${code} after ${fmt(seconds, 1)} s\n${tail}`,
  );
  return { entries, seconds, exitCode: code, output: tail };
}
