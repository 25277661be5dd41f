export * from "./archive-consent";
export * from "./create-consent";
export * from "./list-consents";
export * from "./update-consent";
