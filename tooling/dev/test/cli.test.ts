import { describe, expect, it } from "vitest";
import { interpret, usage } from "../src/cli.ts";

const spec = {
  name: "tenant:create",
  usage: "pnpm tenant:create --name TEXT",
  summary: "Creates a tenant.",
  options: {
    name: { type: "string", placeholder: "TEXT", description: "the brand's name" },
    "cors-origin": { type: "string", placeholder: "URL", multiple: true, description: "an origin" },
    size: { type: "string", placeholder: "N", default: "10", description: "how many" },
    remote: { type: "boolean", description: "the deployed D1" },
  },
} as const;

describe("interpret", () => {
  it("reads values, with defaults for what is absent", () => {
    expect(
      interpret(spec, [
        "--name",
        "O'Brien",
        "--cors-origin=https://a.example",
        "--cors-origin",
        "https://b.example",
      ]),
    ).toEqual({
      kind: "values",
      values: {
        name: "O'Brien",
        "cors-origin": ["https://a.example", "https://b.example"],
        size: "10",
        remote: false,
      },
    });
    expect(interpret(spec, ["--remote", "--size=3"])).toEqual({
      kind: "values",
      values: { name: undefined, "cors-origin": [], size: "3", remote: true },
    });
  });

  it("answers --help and -h, whatever else is given", () => {
    expect(interpret(spec, ["--help"])).toEqual({ kind: "help" });
    expect(interpret(spec, ["-h"])).toEqual({ kind: "help" });
    expect(interpret(spec, ["--bogus", "--help"])).toEqual({ kind: "help" });
  });

  it("skips the lone leading -- that pnpm and turbo pass on", () => {
    expect(interpret(spec, ["--", "--help"])).toEqual({ kind: "help" });
    expect(interpret(spec, ["--", "--remote"])).toMatchObject({ values: { remote: true } });
  });

  it.each([
    [["--foo"], "unknown option --foo"],
    [["-x"], "unknown option -x"],
    [["--name"], "--name needs a value"],
    [["--name", "--remote"], "--name needs a value (for --remote itself, write --name=--remote)"],
    [["--remote=yes"], "--remote takes no value"],
    [["--name", "a", "--name", "b"], "--name is given twice"],
    [["stray"], "unexpected argument stray"],
  ])("refuses %j with one line", (argv, message) => {
    expect(interpret(spec, argv)).toEqual({ kind: "error", message });
  });

  it("takes a value that starts with a dash when it is inline", () => {
    expect(interpret(spec, ["--name=-dash"])).toMatchObject({ values: { name: "-dash" } });
  });
});

describe("usage", () => {
  it("lists every option with its placeholder, repeatability and default", () => {
    const text = usage(spec);
    expect(text).toContain("Usage: pnpm tenant:create --name TEXT");
    expect(text).toMatch(/--name TEXT\s+the brand's name\n/);
    expect(text).toMatch(/--cors-origin URL\s+an origin \(repeatable\)/);
    expect(text).toMatch(/--size N\s+how many \(default 10\)/);
    expect(text).toMatch(/--remote\s+the deployed D1/);
    expect(text).toMatch(/-h, --help\s+this help/);
  });
});
