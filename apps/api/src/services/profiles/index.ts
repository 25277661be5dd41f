export * from "./erase-profile.ts";
export * from "./get-profile.ts";
export * from "./import-profiles.ts";
export * from "./list-profile-history.ts";
export * from "./update-profile.ts";
