/**
 * @lapse/consent — the consent domain of Lapse as pure functions (rules R1–R14, docs/rules.md).
 * No I/O: every function takes `now` (or a day) as an argument, so the same rules run in the
 * API Worker, in Node tools and in browsers.
 */
export * from "./automation.ts";
export * from "./events.ts";
export * from "./expiry.ts";
export * from "./import.ts";
export * from "./limits.ts";
export * from "./policy.ts";
export * from "./schemas.ts";
export * from "./status.ts";
export * from "./time.ts";
export * from "./words.ts";
