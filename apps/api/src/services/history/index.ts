export * from "./get-profile-proof.ts";
export * from "./verify-profile.ts";
