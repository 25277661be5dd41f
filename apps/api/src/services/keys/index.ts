export * from "./authenticate-key.ts";
export * from "./create-key.ts";
export * from "./list-keys.ts";
export * from "./revoke-key.ts";
export * from "./verify-profile-token.ts";
