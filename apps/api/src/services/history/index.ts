export * from "./get-profile-proof";
export * from "./verify-profile";
