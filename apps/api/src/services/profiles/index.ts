export * from "./get-profile";
export * from "./import-profiles";
export * from "./list-profile-history";
export * from "./update-profile";
