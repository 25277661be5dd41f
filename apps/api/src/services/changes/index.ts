export * from "./list-changes.ts";
