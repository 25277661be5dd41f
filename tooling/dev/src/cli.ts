// Command-line options for the repository's CLIs (tenant:create, history:verify, the bench):
// `--help` prints every option and exits 0; an unknown option, a missing value or a bad value
// prints one line naming the CLI and exits 2. Built on node:util's parseArgs tokens rather than
// its `strict` mode, whose errors are multi-line and name no command.
import { parseArgs } from "node:util";

export type OptionSpec =
  | {
      type: "string";
      /** Shown in the usage: `--name TEXT`. */
      placeholder: string;
      description: string;
      multiple?: boolean;
      default?: string;
    }
  | { type: "boolean"; description: string };

export interface CliSpec<O extends Record<string, OptionSpec>> {
  /** The command as the user types it after `pnpm`, e.g. `tenant:create`. */
  name: string;
  /** The synopsis line(s), e.g. `pnpm --filter @lapse/api tenant:create --name TEXT [options]`. */
  usage: string;
  /** What the command does, in a sentence or two. */
  summary: string;
  options: O;
}

/** The parsed values: booleans default to false, repeatable strings to []. */
export type CliValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { type: "boolean" }
    ? boolean
    : O[K] extends { multiple: true }
      ? string[]
      : O[K] extends { default: string }
        ? string
        : string | undefined;
};

export type Interpretation<O extends Record<string, OptionSpec>> =
  | { kind: "help" }
  | { kind: "error"; message: string }
  | { kind: "values"; values: CliValues<O> };

/** The usage text `--help` prints: synopsis, summary and every option with its default. */
export function usage<O extends Record<string, OptionSpec>>(spec: CliSpec<O>): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, option]) => {
    const flag = option.type === "string" ? `--${name} ${option.placeholder}` : `--${name}`;
    const notes = [
      option.type === "string" && option.multiple ? "repeatable" : "",
      option.type === "string" && option.default !== undefined ? `default ${option.default}` : "",
    ].filter(Boolean);
    return [
      flag,
      notes.length > 0 ? `${option.description} (${notes.join("; ")})` : option.description,
    ];
  });
  rows.push(["-h, --help", "this help"]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: ${spec.usage}`,
    "",
    spec.summary,
    "",
    "Options:",
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
  ].join("\n");
}

/** Reads `argv` against the spec without printing or exiting (what the tests call). */
export function interpret<O extends Record<string, OptionSpec>>(
  spec: CliSpec<O>,
  argv: string[],
): Interpretation<O> {
  // `pnpm run x -- --flag` and `turbo run x -- --flag` may hand the script a lone leading "--".
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  const { tokens } = parseArgs({
    args,
    options: Object.fromEntries(
      Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, multiple: true }]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === "option" && (t.name === "help" || t.name === "h"))) {
    return { kind: "help" };
  }
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    values[name] =
      option.type === "boolean" ? false : option.multiple ? [] : (option.default ?? undefined);
  }
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") {
      continue;
    }
    if (token.kind === "positional") {
      return { kind: "error", message: `unexpected argument ${token.value}` };
    }
    const option = spec.options[token.name];
    if (!option) {
      return { kind: "error", message: `unknown option ${token.rawName}` };
    }
    if (option.type === "boolean") {
      if (token.inlineValue) {
        return { kind: "error", message: `${token.rawName} takes no value` };
      }
      values[token.name] = true;
      continue;
    }
    // parseArgs (not strict) takes the next argument as the value even when it is an option:
    // `--name --remote` is a missing name, not a tenant called "--remote".
    if (token.value === undefined) {
      return { kind: "error", message: `${token.rawName} needs a value` };
    }
    if (!token.inlineValue && token.value.startsWith("-")) {
      return {
        kind: "error",
        message: `${token.rawName} needs a value (for ${token.value} itself, write ${token.rawName}=${token.value})`,
      };
    }
    if (option.multiple) {
      (values[token.name] as string[]).push(token.value);
    } else if (seen.has(token.name)) {
      return { kind: "error", message: `${token.rawName} is given twice` };
    } else {
      values[token.name] = token.value;
    }
    seen.add(token.name);
  }
  return { kind: "values", values: values as CliValues<O> };
}

export interface Cli<O extends Record<string, OptionSpec>> {
  name: string;
  /** Parses `process.argv`; prints the usage and exits 0 on `--help`, exits 2 on a bad option. */
  parse(argv?: string[]): CliValues<O>;
  /** A bad value found after parsing: one line on stderr, exit 2. */
  fail(message: string): never;
  /** Anything else that stops the command (a missing credential, a failed call): one line, exit 1. */
  error(message: string): never;
}

export function defineCli<const O extends Record<string, OptionSpec>>(spec: CliSpec<O>): Cli<O> {
  const fail = (message: string): never => {
    console.error(`${spec.name}: ${message} (see --help)`);
    process.exit(2);
  };
  return {
    name: spec.name,
    fail,
    error(message) {
      console.error(`${spec.name}: ${message}`);
      process.exit(1);
    },
    parse(argv = process.argv.slice(2)) {
      const result = interpret(spec, argv);
      if (result.kind === "help") {
        console.log(usage(spec));
        process.exit(0);
      }
      if (result.kind === "error") {
        return fail(result.message);
      }
      return result.values;
    },
  };
}

/** What the value checks need of a CLI: its one-line failure. */
type Failing = Pick<Cli<Record<string, OptionSpec>>, "fail">;

/** A whole number from an option, at least `min`; `1_000_000` and `1,000,000` are accepted. */
export function wholeNumber(cli: Failing, flag: string, value: string, min = 0): number {
  const n = Number(value.replaceAll(/[_,]/g, ""));
  if (!Number.isSafeInteger(n) || n < min) {
    return cli.fail(`--${flag} must be a whole number of at least ${min}, got ${value}`);
  }
  return n;
}

/** A number from an option, in [min, max]. */
export function numberIn(
  cli: Failing,
  flag: string,
  value: string,
  [min, max]: [number, number],
): number {
  const n = Number(value.replaceAll(/[_,]/g, ""));
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    return cli.fail(`--${flag} must be a number from ${min} to ${max}, got ${value}`);
  }
  return n;
}
