export * from "./archive-consent.ts";
export * from "./create-consent.ts";
export * from "./list-consents.ts";
export * from "./update-consent.ts";
