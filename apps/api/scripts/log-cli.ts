// What the CLIs that check transparency logs (`history:verify`, `tenant:reshard`) share: their
// options for the verifier keys and the origin prefix, and where those come from.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { OptionSpec } from "@lapse/dev/cli";
import { verifierKeyFromSigner } from "@lapse/proof";
import { unstable_readConfig } from "wrangler";
import { originPrefixOf, parseVerifierKeyList } from "../src/services/proof/keys.ts";

export const API_DIR = path.resolve(import.meta.dirname, "..");
export const API_CONFIG = path.join(API_DIR, "wrangler.jsonc");
const DEV_VARS = path.join(API_DIR, ".dev.vars");

export const LOG_KEY_OPTIONS = {
  "verifier-key": {
    type: "string",
    placeholder: "KEY",
    multiple: true,
    description: "a verifier key of the log (<name>+<id>+<base64>)",
  },
  origin: {
    type: "string",
    placeholder: "PREFIX",
    description: "the checkpoint origin prefix (default PROOF_ORIGIN of wrangler.jsonc)",
  },
} as const satisfies Record<string, OptionSpec>;

export interface LogKeyValues {
  remote: boolean;
  "verifier-key": string[];
  origin?: string | undefined;
}

/** `KEY=value` lines of .dev.vars (wrangler's dotenv format, values maybe quoted). */
function devVars(): Record<string, string> {
  if (!existsSync(DEV_VARS)) {
    return {};
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(DEV_VARS, "utf8").split("\n")) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined) {
      vars[match[1]] = match[2].replace(/^"(.*)"$/, "$1").replaceAll("\\n", "\n");
    }
  }
  return vars;
}

/**
 * The verifier keys to trust: --verifier-key, else PROOF_VERIFIER_KEYS / PROOF_SIGNING_KEY from
 * the environment or (locally) apps/api/.dev.vars. Throws a one-line message when there is none.
 */
export async function verifierKeysOf(values: LogKeyValues): Promise<string[]> {
  if (values["verifier-key"].length > 0) {
    return parseVerifierKeyList(values["verifier-key"].join("\n"), "--verifier-key");
  }
  const source =
    process.env.PROOF_SIGNING_KEY || process.env.PROOF_VERIFIER_KEYS
      ? process.env
      : values.remote
        ? {}
        : devVars();
  const keys: string[] = [];
  if (source.PROOF_SIGNING_KEY) {
    keys.push(await verifierKeyFromSigner(source.PROOF_SIGNING_KEY.trim()));
  }
  keys.push(...parseVerifierKeyList(source.PROOF_VERIFIER_KEYS, "PROOF_VERIFIER_KEYS"));
  if (keys.length === 0) {
    throw new Error(
      values.remote
        ? "--remote needs the log's verifier keys: --verifier-key KEY (GET https://<your API>/.well-known/lapse-proof-key lists them)"
        : "no verifier key: give --verifier-key KEY, or run `pnpm dev` once (it writes apps/api/.dev.vars)",
    );
  }
  return [...new Set(keys)];
}

/** The checkpoint origin prefix: --origin, else PROOF_ORIGIN (environment, wrangler.jsonc). */
export function originPrefixFrom(values: LogKeyValues): string {
  if (values.origin !== undefined) {
    return originPrefixOf(values.origin);
  }
  const wrangler = unstable_readConfig({ config: API_CONFIG }, { hideWarnings: true });
  const vars = wrangler.vars as Record<string, unknown>;
  return originPrefixOf(
    process.env.PROOF_ORIGIN ?? (typeof vars.PROOF_ORIGIN === "string" ? vars.PROOF_ORIGIN : ""),
  );
}
