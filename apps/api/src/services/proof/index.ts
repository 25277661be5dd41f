export * from "./audit.ts";
export * from "./classify.ts";
export * from "./keys.ts";
export * from "./log.ts";
export * from "./profile-proof.ts";
export * from "./seal.ts";
