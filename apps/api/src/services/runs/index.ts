export * from "./get-run.ts";
export * from "./health.ts";
export * from "./list-runs.ts";
export * from "./trigger-run.ts";
