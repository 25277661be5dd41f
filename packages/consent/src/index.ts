/**
 * @lapse/consent — the consent domain of Lapse as pure functions (rules R1–R14, docs/rules.md).
 * No I/O: every function takes `now` (or a day) as an argument, so the same rules run in the
 * API Worker, in Node tools and in browsers.
 */
export * from "./events.js";
export * from "./expiry.js";
export * from "./import.js";
export * from "./limits.js";
export * from "./policy.js";
export * from "./schemas.js";
export * from "./status.js";
export * from "./time.js";
export * from "./words.js";
