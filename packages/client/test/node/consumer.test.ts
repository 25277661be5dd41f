import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.join(import.meta.dirname, "../..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

function compile(project: string): { ok: boolean; output: string } {
  try {
    execFileSync(process.execPath, [tsc, "-p", path.join(root, "test/consumer", project)], {
      encoding: "utf8",
      stdio: "pipe",
    });
    return { ok: true, output: "" };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("the built package, as a consumer sees it", () => {
  it("has been built (turbo runs `build` before `test`)", () => {
    expect(existsSync(path.join(root, "dist/index.d.ts"))).toBe(true);
    expect(existsSync(path.join(root, "dist/server.d.ts"))).toBe(true);
  });

  it("type-checks a storefront that installed only @lapse/client and its @trpc peers", () => {
    const result = compile("tsconfig.json");
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  }, 60_000);

  it("rejects a wrong status and a field the API does not answer: the types are real", () => {
    const result = compile("tsconfig.bad.json");
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/misuse\.ts\(\d+,\d+\): error TS2322: Type '"maybe"'/);
    expect(result.output).toMatch(/misuse\.ts\(\d+,\d+\): error TS2339: Property 'email'/);
  }, 60_000);
});
