export * from "./authenticate-key";
export * from "./create-key";
export * from "./list-keys";
export * from "./revoke-key";
export * from "./verify-profile-token";
