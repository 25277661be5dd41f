export * from "./list-changes";
